"""pkgtrace: behavioural and static analysis of package releases."""

__version__ = "0.1.0"
