"""Where the public documents (their models are in pkgtrace.api) are stored, indexed and read back."""
