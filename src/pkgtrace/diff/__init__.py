"""Release-to-release diff: what a newer release does that the older one did not (hosts,
sockets, commands, files, install hooks, findings, changed files), and what it stopped doing."""

from pkgtrace.diff.behaviour import DIMENSIONS, Behaviour, behaviour_of
from pkgtrace.diff.compare import SCHEMA_VERSION, compare, diff_documents
from pkgtrace.diff.predecessor import attach_diff, diff_against_predecessor
from pkgtrace.diff.versions import predecessor, version_key

__all__ = ["DIMENSIONS", "SCHEMA_VERSION", "Behaviour", "attach_diff", "behaviour_of", "compare",
           "diff_against_predecessor", "diff_documents", "predecessor", "version_key"]
