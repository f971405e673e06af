"""Dynamic analysis: the strace log parser, the behaviour trace built from it, and the phases."""
