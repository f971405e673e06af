"""The OSSF documents as stored are what OSSF's own BigQuery loader accepts: one compact JSON
object per line (newline-delimited JSON), and no field its schema lacks (it loads with unknown
values refused). Checked against its loader's schemas (fixtures/ossf, copied from
package-analysis), on documents a real `pkgtrace analyze` wrote."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pkgtrace.model import Ecosystem, Package
from pkgtrace.pipeline.export.bigquery import DYNAMIC_SCHEMA, STATIC_SCHEMA
from pkgtrace.results.stores import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_docs import all_docs  # noqa: E402

OSSF = Path(__file__).resolve().parent.parent / "fixtures" / "ossf"
OSSF_STATIC = json.loads((OSSF / "static-analysis-schema.json").read_text())
OSSF_DYNAMIC = json.loads((OSSF / "dynamic-analysis-schema.json").read_text())

_SCALARS = {"STRING": str, "BYTES": str, "INTEGER": int, "INT64": int, "FLOAT64": (int, float),
            "FLOAT": (int, float), "BOOLEAN": bool, "TIMESTAMP": (str, int, float)}


def unknown_fields(doc: dict, schema: list[dict], path: str = "") -> list[str]:
    """Every field of DOC that SCHEMA lacks or types otherwise (what a strict load refuses)."""
    fields = {f["name"]: f for f in schema}
    bad = []
    for k, v in doc.items():
        f = fields.get(k)
        where = f"{path}{k}"
        if f is None:
            bad.append(where)
            continue
        values = v if f.get("mode") == "REPEATED" else [v]
        if f.get("mode") == "REPEATED" and not isinstance(v, list):
            bad.append(f"{where} (not a list)")
            continue
        for item in values:
            if f["type"] == "RECORD":
                if not isinstance(item, dict):
                    bad.append(f"{where} (not an object)")
                else:
                    bad.extend(unknown_fields(item, f["fields"], where + "."))
            elif item is not None and not isinstance(item, _SCALARS[f["type"]]):
                bad.append(f"{where} ({type(item).__name__} for {f['type']})")
    for f in schema:
        if f.get("mode") == "REQUIRED" and f["name"] not in doc:
            bad.append(f"{path}{f['name']} (required, missing)")
    return bad


def _names(schema: list[dict]) -> list:
    return [(f["name"], f["type"].replace("INTEGER", "INT64"), f.get("mode", "NULLABLE"),
             _names(f["fields"]) if "fields" in f else None) for f in schema]


def test_the_exporter_schemas_are_ossfs():
    assert _names(STATIC_SCHEMA) == _names(OSSF_STATIC)
    assert _names(DYNAMIC_SCHEMA) == _names(OSSF_DYNAMIC)


def test_the_checker_catches_what_ossf_refuses():
    doc = all_docs()["static"]
    assert unknown_fields(doc, OSSF_STATIC) == ["results.files.pkgtrace_extra"]  # a planted one
    del doc["results"]["files"][0]["pkgtrace_extra"]
    assert unknown_fields(doc, OSSF_STATIC) == []
    doc["results"]["files"][0]["python"] = {"identifiers": []}  # the old per-language extra
    doc["results"]["files"][0]["truncated"] = True
    assert unknown_fields(doc, OSSF_STATIC) == ["results.files.python", "results.files.truncated"]


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return open_store(str(tmp_path / "results"))
    seaweed = request.getfixturevalue("seaweed")
    return open_store(seaweed.url("pkgtrace-results", f"ndjson-{tmp_path.name}"))


def test_stored_as_one_compact_line_each(store, tmp_path):
    pkg = Package(Ecosystem.PYPI, "evil-pkg", "1.0.0")
    docs = all_docs(name=pkg.name, version=pkg.version)
    store.put(pkg, docs)
    for kind in ("dynamic", "static"):
        raw = _raw(store, pkg, kind)
        assert raw.endswith(b"\n") and raw.count(b"\n") == 1, kind  # NDJSON: one record, one line
        assert b": " not in raw[:200] and b", " not in raw[:200]   # compact separators
        assert json.loads(raw) == json.loads(json.dumps(docs[kind], default=str))
        assert store.get(pkg, kind) == json.loads(raw)
    # Concatenated, the files are a loadable NDJSON stream (what OSSF's loader globs *.json into).
    stream = b"".join(_raw(store, pkg, k) for k in ("static", "static"))
    assert [json.loads(line)["name"] for line in stream.splitlines()] == ["evil-pkg", "evil-pkg"]


def _raw(store, pkg: Package, kind: str) -> bytes:
    if hasattr(store, "client"):  # S3: the object as written
        ptr = json.loads(store.client.get_object(Bucket=store.bucket, Key=f"{store._base(pkg)}/current.json")["Body"].read())
        key = f"{store._base(pkg)}/runs/{ptr['run']}/{kind}.json"
        return store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
    return (Path(store.location(pkg)) / f"{kind}.json").read_bytes()


def _npm_tgz(path: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        members = {"package/package.json": json.dumps({"name": name, "version": version}).encode(),
                   **{f"package/{k}": v for k, v in files.items()}}
        for n, data in members.items():
            info = tarfile.TarInfo(n)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buf.getvalue())
    return path


def test_analyze_writes_loader_ready_documents_and_records_the_release(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PKGTRACE_")}
    env["PKGTRACE_DATA"] = str(data)
    tgz = _npm_tgz(tmp_path / "left-pad-1.3.0.tgz", "left-pad", "1.3.0", {
        "index.js": b"module.exports = function (s) { return fetch('http://203.0.113.9/x'); };\n",
        "broken.js": b"a = w w;\n",
        "types.ts": b"export const u: string = 'http://198.51.100.4/t';\n",
        "tool.py": b"import os\nhost = '8.8.8.8'\n"})
    work = tmp_path / "elsewhere"
    work.mkdir()
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "analyze", "npm", "--local", str(tgz),
                        "--mode", "static"], capture_output=True, text=True, timeout=300, env=env, cwd=work)
    assert p.returncode == 0, p.stderr
    assert not list(work.iterdir())  # nothing written where the command ran
    folder = data / "results" / "npm" / "left-pad" / "1.3.0"
    raw = (folder / "static.json").read_bytes()
    assert raw.count(b"\n") == 1 and raw.endswith(b"\n")
    static = json.loads(raw)
    assert unknown_fields(static, OSSF_STATIC) == []
    files = {f["filename"].rsplit("/", 1)[-1]: f for f in static["results"]["files"]}
    assert "js" in files["index.js"] and "js" not in files["broken.js"]
    assert not any(k in f for f in files.values() for k in ("python", "typescript", "truncated"))
    assert files["tool.py"]["ip_addresses"] == ["8.8.8.8"]
    report = json.loads((folder / "report.json").read_text())
    langs = {t["filename"].rsplit("/", 1)[-1]: t for t in report["static"]["tokens"]}
    assert langs["types.ts"]["language"] == "typescript" and langs["tool.py"]["language"] == "python"
    assert langs["broken.js"]["syntax_errors"] is True
    assert set(langs["tool.py"]) == {"filename", "language", "tokens"}  # what was not set is left out

    # The release is in the local dataset: verify, run anywhere, finds it.
    lock = tmp_path / "package-lock.json"
    lock.write_text(json.dumps({"name": "app", "lockfileVersion": 3, "requires": True, "packages": {
        "": {"name": "app", "dependencies": {"left-pad": "1.3.0"}},
        "node_modules/left-pad": {"version": "1.3.0",
                                  "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"}}}))
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(lock), "--json"],
                       capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    (row,) = json.loads(p.stdout)["results"]
    assert row["release"] is not None and row["release"]["url"] == str(folder)


def test_a_dynamic_document_built_from_trace_lines_is_what_ossfs_loader_accepts(tmp_path):
    # The dynamic document as analyze_dynamic assembles it (the sandbox run aside), from OSSF's own
    # strace vectors plus an exec, a bind and a DNS answer, stored and read back as its loader would.
    from pkgtrace.dynamic.run import assemble
    from pkgtrace.dynamic.trace import PhaseWindow, build
    from pkgtrace.model import Artifact
    from pkgtrace.sandbox import bait as bait_mod
    from pkgtrace.sandbox.runsc import ExecResult, Limits

    vectors = json.loads((OSSF / "strace.json").read_text())["vectors"]
    lines = [v["input"].replace("] [   1] ", "] [ 100] ") for v in vectors]
    lines.append('I1206 00:04:40.000000     175 strace.go:622] [  15] sh X execve(0x1 /bin/sh, '
                 '0x2 ["sh", "-c", "nc -l 4444"], 0x3 ["HOME=/root"]) = 0 (0x0) (5µs)')
    log = [f"{x}\n".encode() for x in "\n".join(lines).split("\n")]
    windows = [PhaseWindow(p, None, 0, 86400) for p in ("install",)]
    trace = build(log, windows, log_pid=None)
    pkg = Package(Ecosystem.PYPI, "evil-pkg", "1.0.0")
    phases = [("install", ["pip"]), ("import", ["python3"]), ("execute", ["python3"])]
    results = {"install": ExecResult(0, b"ok\n", b"\xff\xfe", 7, 1.0, 2.0),
               "import": ExecResult(None, b"", b"", 8, 2.0, 3.0, timed_out=True, limit="time")}
    net = [{"kind": "dns", "t": 1.5, "hostname": "c2.example", "qtype": "A", "answer": "104.16.19.35"}]
    doc, _section = assemble(Artifact(pkg, tmp_path / "evil-pkg-1.0.0.tar.gz"), phases, results, {},
                             trace, net, bait_mod.fresh(), Limits(), "image", 0.1)
    store = open_store(str(tmp_path / "results"))
    store.put(pkg, {"dynamic": doc, "static": all_docs()["static"], "report": all_docs()["report"]})
    raw = _raw(store, pkg, "dynamic")
    assert raw.count(b"\n") == 1 and raw.endswith(b"\n")
    stored = json.loads(raw)
    assert unknown_fields(stored, OSSF_DYNAMIC) == []
    install = stored["Analysis"]["install"]
    assert {"Address": "127.0.0.1", "Port": 8080, "Hostnames": []} in install["Sockets"]  # a bind
    assert install["Commands"] == [{"Command": ["sh", "-c", "nc -l 4444"], "Environment": ["HOME=/root"]}]
    assert set(stored["Analysis"]) == {"install", "import", "execute"}
    assert {"Address": "104.16.19.35", "Port": 443, "Hostnames": ["c2.example"]} in install["Sockets"]
    assert install["DNS"] == [{"Class": "IN", "Queries": [{"Hostname": "c2.example", "Types": ["A"]}]}]
    # The evasion: a field pkgtrace adds to a phase (here planted) is caught, so none can slip in.
    stored["Analysis"]["install"]["Files"][0]["Executable"] = True
    assert unknown_fields(stored, OSSF_DYNAMIC) == ["Analysis.install.Files.Executable"]
