"""What the files a phase wrote held when it ended: sha256, size and first KiB of each.

After a phase's processes are killed, a root-only control step (sandbox/guest/written.py, started
`python3 -I -S` from the read-only drivers folder) lists every entry changed during the phase in
the folders the package user can write to, and writes that list where only root can. The package
can neither forge the list (it cannot write there) nor hide from it (it cannot set a ctime back),
and a link, FIFO, device or huge sparse file costs the reader nothing (the collector's bounds).
It runs with the trace off (Sandbox.untraced, only once init is the last process): its walk's
stats were most of what tracing cost a run, and say nothing about the package.

In the report, each phase's `written_files` joins that list with the trace: a file the trace saw
written but that is gone at the phase's end (deleted, renamed away) is kept with state "absent"
("not_walked" when the walk did not reach it: outside its roots, or a walk that failed or was cut);
one the list holds but no traced write explains (reached by an untraced route, or made by a
rename or link) has traced: false.
"""

from __future__ import annotations

import base64

from pkgtrace.dynamic.records import RecordError, read_record
from pkgtrace.dynamic.trace import PhaseTrace
from pkgtrace.sandbox import layout

SNAPSHOT_LIMIT = 8 << 20  # the collector's file is at most this big (1500 entries, 1 KiB heads)
MAX_ABSENT = 500
# Written through, never files anyone keeps: not "absent" when they are not in the list.
_PSEUDO = ("/dev/", "/proc/", "/sys/")
_MAGIC = ((b"\x7fELF", "elf"), (b"MZ", "pe"), (b"\xcf\xfa\xed\xfe", "macho"),
          (b"\xfe\xed\xfa\xcf", "macho"), (b"\xca\xfe\xba\xbe", "macho"), (b"#!", "script"),
          (b"PK\x03\x04", "zip"), (b"\x1f\x8b", "gzip"))


def snapshot(sb, key: str, since: float) -> dict:
    """Run the collector for phase KEY (which started at SINCE, epoch) and read its list."""
    out = f"written/{key}.json"
    argv = layout.driver("written.py", repr(since - 0.2), f"{layout.RECORDS}/{out}", *layout.WRITABLE)
    for prefix in layout.INSTALL_TARGETS:
        argv += ["--quiet", prefix]
    if not sb.alive():
        return {"error": "the sandbox had ended"}
    r = sb.exec(argv, control=True, timeout=60)
    seconds = round(r.ended - r.started, 3)  # what the collector costs the run, per phase
    if r.exit_code != 0:
        why = "timed out" if r.limit else f"exit {r.exit_code}: {r.stderr.decode(errors='replace')[-300:]}"
        return {"error": f"the collector failed ({why})"}
    try:
        doc = read_record(sb.records / out, SNAPSHOT_LIMIT)
    except RecordError as e:
        return {"error": f"the collector's list is {e}"}
    return {**doc, "seconds": seconds}


def head_kind(head: bytes) -> str:
    """What the first bytes say the file is: elf, pe, macho, script, zip, gzip, text or binary."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if not head:
        return "empty"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # a cut multibyte character at the end is still text
            return "binary"
    return "binary" if b"\x00" in head else "text"


def section(snapshot: dict, pt: PhaseTrace) -> dict:
    """The phase's `written_files` and `written_summary`, from the collector's list and the trace."""
    writes = {p for p, f in pt.files.items() if f.write}
    listed = snapshot.get("files") if isinstance(snapshot.get("files"), list) else []
    out, present = [], set()
    for rec in listed:
        if not isinstance(rec, dict) or not isinstance(rec.get("path"), str):
            continue
        path = rec["path"]
        present.add(path)
        entry = {"path": path, "state": "present", "traced": path in writes}
        entry.update({k: rec[k] for k in ("type", "size", "mode", "uid", "mtime", "ctime", "target",
                                          "sha256", "hash_skipped", "error") if k in rec})
        if isinstance(rec.get("head"), str):
            try:
                head = bytes.fromhex(rec["head"])[:1024]
            except ValueError:
                head = b""
            entry["head_b64"] = base64.b64encode(head).decode()
            entry["head_kind"] = head_kind(head)
            if entry["head_kind"] in ("text", "script"):
                entry["head_text"] = head.decode("utf-8", "replace")
        out.append(entry)
    absent = sorted(p for p in writes - present if not p.startswith(_PSEUDO))
    # Gone only where the walk went and finished: a failed or cut walk did not look everywhere.
    whole = not snapshot.get("error") and not snapshot.get("truncated")
    for path in absent[:MAX_ABSENT]:
        inside = any(path == r or path.startswith(r.rstrip("/") + "/") for r in layout.WRITABLE)
        out.append({"path": path, "state": "absent" if inside and whole else "not_walked", "traced": True})
    summary = {"listed": len(listed), "walked": snapshot.get("walked"),
               "truncated": snapshot.get("truncated"), "absent": len(absent),
               "seconds": snapshot.get("seconds")}
    if snapshot.get("error"):
        summary["error"] = snapshot["error"]
    return {"written_files": out, "written_summary": summary}
