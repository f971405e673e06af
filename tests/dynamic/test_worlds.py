"""Which worlds a release gets (from its code's reasons) and how a world's behaviour is set
apart from the base world's."""

from __future__ import annotations

from pkgtrace.dynamic import worlds


def _names(eco, code):
    return [w.name for w, _why in worlds.chosen(eco, [("pkg/__init__.py", code)])]


def test_worlds_follow_the_codes_reasons():
    assert _names("pypi", "if os.getenv('GITHUB_ACTIONS'): send()") == ["ci"]
    assert _names("pypi", "if datetime.date.today() > date(2030, 1, 1): go()") == ["later"]
    assert _names("npm", "if (process.env.CI) { fetch(u) }") == ["ci"]
    # the clock is moved for Python and Node (nodeclock.js); not for the other ecosystems
    assert _names("npm", "if (Date.now() > 1900000000000) run()") == ["later"]
    assert _names("npm", "setTimeout(run, 86400000)") == ["later"]
    assert _names("rubygems", "if (Date.now() > 1900000000000) run()") == []
    # obfuscated code hides its reasons: both worlds
    assert _names("pypi", "exec(base64.b64decode('cHJpbnQ='))") == ["ci", "later", "windows"]
    assert _names("pypi", "def add(a, b):\n    return a + b\n") == []
    # a platform check in code that acts: the windows world (PyPI only, where wingate answers)
    gated = "import sys, subprocess\nif sys.platform.startswith('win'):\n    subprocess.Popen(['powershell'])\n"
    assert _names("pypi", gated) == ["windows"]
    assert _names("npm", gated) == []
    # the look-alikes: a platform check that only picks a path, code that acts with no such check
    assert _names("pypi", "import os\nSEP = '\\\\' if os.name == 'nt' else '/'\n") == []
    assert _names("pypi", "import subprocess\nsubprocess.run(['ls'])\n") == []


def test_differences_keep_only_what_the_world_added():
    base = {"import": {"commands": [{"argv": ["uname", "-a"]}], "dns": [], "network": [],
                       "connections": [], "files": [{"path": "/root/.bashrc", "read": True}]}}
    ci = {"import": {"commands": [{"argv": ["uname", "-a"]}, {"argv": ["curl", "http://x.example"]}],
                     "dns": [{"hostname": "x.example"}],
                     "network": [{"hostname": "x.example", "http": {"method": "GET", "target": "/e"}}],
                     "connections": [{"family": "AF_INET", "address": "198.18.0.9", "port": 80}],
                     "files": [{"path": "/root/.bashrc", "read": True},
                               {"path": "/root/.aws/credentials", "read": True},
                               {"path": "/tmp/.pkgtrace-pycache-3/x.pyc", "write": True}]},
          "execute": {"commands": [], "dns": [], "network": [], "connections": [], "files": []}}
    d = worlds.differences(base, ci)
    assert d == {"import": {"commands": ["curl http://x.example"], "dns": ["x.example"],
                            "connections": ["198.18.0.9:80"], "http": ["GET x.example/e"],
                            "files_read": ["/root/.aws/credentials"]}}
