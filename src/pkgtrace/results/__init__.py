"""Public result schemas (OSSF-compatible documents and the pkgtrace report) and where they are stored."""
