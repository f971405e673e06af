"""The libmagic helper process's program (see magicworker). Run as a script, by path, so that it
imports nothing of pkgtrace: it starts in tens of milliseconds, not the half second that
pkgtrace.static's imports take. It must answer what facts.detect_type answers for a file's
head (tests/static/test_magicworker.py holds them to that).

Protocol: one JSON path per line in; one JSON type per line out, in order; exit at end of input.
"""

import json
import sys

MAGIC_BYTES = 1 << 16  # facts._MAGIC_BYTES


def main() -> None:
    import magic
    m = magic.Magic()
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        try:
            with open(json.loads(line), "rb") as f:
                head = f.read(MAGIC_BYTES)
        except OSError as e:  # the parent meets the same error reading the file, and reports it
            ans = f"unknown ({type(e).__name__})"
        else:
            try:
                ans = m.from_buffer(head)
            except Exception as e:  # as facts.detect_type
                ans = f"unknown ({type(e).__name__})"
        out.write((json.dumps(ans) + "\n").encode())
        out.flush()


if __name__ == "__main__":
    main()
