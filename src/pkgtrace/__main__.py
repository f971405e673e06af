"""`python -m pkgtrace`: the same CLI as the `pkgtrace` command."""

from pkgtrace.cli import main

main()
