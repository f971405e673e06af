"""The registry policy: only GET/HEAD of package-manager paths, on the exact registry names."""

from __future__ import annotations

import pytest

from pkgtrace.sandbox.netsim.policy import (REGISTRY_HOSTS, REGISTRY_HOSTS_BY_ECOSYSTEM, decide,
                                            forwarded_headers, token_use)


def _get(host, target, method="GET", headers=None, body=0, allow=REGISTRY_HOSTS):
    return decide(host, method, target, headers if headers is not None else [("Host", host)], body, allow)


@pytest.mark.parametrize("host,target,cacheable", [
    ("pypi.org", "/simple/six/", False),
    ("pypi.org", "/pypi/six/json", False),
    ("pypi.org", "/pypi/six/1.16.0/json", False),
    ("files.pythonhosted.org", "/packages/d9/5a/e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/six-1.16.0-py2.py3-none-any.whl", True),
    ("files.pythonhosted.org", "/packages/ef/55/6d/setuptools-84.2.1-py3-none-any.whl.metadata", True),
    ("registry.npmjs.org", "/is-number", False),
    ("registry.npmjs.org", "/JSONStream", False),
    ("registry.npmjs.org", "/@types%2fnode", False),
    ("registry.npmjs.org", "/is-number/-/is-number-7.0.0.tgz", True),
    ("registry.npmjs.org", "/@types/node/-/node-20.1.0.tgz", True),
    ("rubygems.org", "/gems/rake-13.0.6.gem", True),
    ("index.rubygems.org", "/info/rake", False),
    ("rubygems.org", "/api/v1/dependencies?gems=rake,json", False),
    ("repo.packagist.org", "/p2/monolog/monolog.json", False),
    ("repo.packagist.org", "/packages.json", False),
    ("api.github.com", "/repos/Seldaek/monolog/zipball/abc123", False),
    ("codeload.github.com", "/Seldaek/monolog/legacy.zip/abc123", False),
    # a dist named by its full commit never changes: cached; a branch or a 39-hex lookalike is not
    ("codeload.github.com", "/Seldaek/monolog/legacy.zip/0123456789abcdef0123456789abcdef01234567", True),
    ("codeload.github.com", "/Seldaek/monolog/legacy.zip/0123456789abcdef0123456789abcdef0123456", False),
    ("codeload.github.com", "/Seldaek/monolog/legacy.zip/main", False),
    ("index.crates.io", "/config.json", False),
    ("index.crates.io", "/se/rd/serde", False),
    ("index.crates.io", "/3/l/log", False),
    ("static.crates.io", "/crates/serde/serde-1.0.0.crate", True),
])
def test_package_manager_reads_are_forwarded(host, target, cacheable):
    d = _get(host, target)
    assert d.forward, d.reason
    assert d.cacheable is cacheable
    assert _get(host, target, method="HEAD").forward


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_writes_are_refused_and_marked(method):
    d = _get("registry.npmjs.org", "/some-package", method=method)
    assert not d.forward and d.write and method in d.reason


@pytest.mark.parametrize("host,target", [
    ("registry.npmjs.org", "/-/whoami"),                     # checks a stolen token
    ("registry.npmjs.org", "/-/npm/v1/tokens"),
    ("registry.npmjs.org", "/-/user/org.couchdb.user:someone"),
    ("registry.npmjs.org", "/.well-known/x"),
    ("api.github.com", "/gists"),                            # an allowlisted host's other API
    ("api.github.com", "/repos/a/b/issues"),
    ("pypi.org", "/manage/account/"),
    ("pypi.org", "/simple/"),                                # the whole index: not what pip reads
    ("files.pythonhosted.org", "/packages/../../etc/passwd.whl"),
    ("files.pythonhosted.org", "/packages/%2e%2e/x.whl"),
    ("registry.npmjs.org", "//evil.example/x"),
    ("crates.io", "/api/v1/crates/new"),
    ("pypi.org", "/simple/six/\r\nX-Injected: 1"),
])
def test_other_paths_are_refused(host, target):
    d = _get(host, target)
    assert not d.forward, target


@pytest.mark.parametrize("host", ["pypi.org.", "PYPI.ORG.", "pypi.org ", " pypi.org", "pypi.org.evil.example",
                                  "evil-pypi.org", "151.101.0.223", "", None])
def test_tricky_names_are_not_registries(host):
    d = decide(host, "GET", "/simple/six/", [("Host", "pypi.org")], 0)
    assert not d.forward and "not a registry host" in d.reason


def test_host_header_must_name_the_sni_host():
    assert not _get("pypi.org", "/simple/six/", headers=[("Host", "collect.example")]).forward
    assert not _get("pypi.org", "/simple/six/", headers=[]).forward
    assert not _get("pypi.org", "/simple/six/", headers=[("Host", "pypi.org"), ("Host", "evil")]).forward
    assert _get("pypi.org", "/simple/six/", headers=[("host", "pypi.org:443")]).forward


def test_a_read_with_a_body_is_refused():
    assert not _get("pypi.org", "/simple/six/", body=10).forward


def test_each_run_opens_only_its_ecosystems_hosts():
    npm_only = REGISTRY_HOSTS_BY_ECOSYSTEM["npm"]
    assert not _get("pypi.org", "/simple/six/", allow=npm_only).forward
    assert _get("registry.npmjs.org", "/is-number", allow=npm_only).forward


@pytest.mark.parametrize("host,target", [("registry.npmjs.org", "/-/npm/v1/security/advisories/bulk"),
                                         ("pypi.org", "/pypi"), ("pypi.org", "/RPC2")])  # PyPI's XML-RPC: reads
def test_housekeeping_is_refused_but_not_a_write(host, target):
    d = _get(host, target, method="POST")
    assert not d.forward and d.housekeeping and not d.write


@pytest.mark.parametrize("host,target", [("pypi.org", "/pypi/x/json"), ("pypi.org", "/legacy/"),
                                         ("pypi.org", "/pypi/../legacy/")])
def test_only_the_read_only_api_of_a_host_is_housekeeping(host, target):
    d = _get(host, target, method="POST")
    assert not d.forward and d.write and not d.housekeeping


def test_no_credentials_are_forwarded():
    headers = [("Authorization", "Bearer npm_x"), ("Accept", "application/json"), ("Cookie", "a=b"),
               ("User-Agent", "npm/9"), ("Accept-Encoding", "gzip"), ("Accept", "x" * 600)]
    assert forwarded_headers(headers) == [("accept", "application/json"), ("accept-encoding", "gzip")]
    assert token_use(headers, b"") == ["authorization", "cookie"]
    assert token_use([], b'{"_authToken": "x"}') == ["token in body"]
    assert token_use([("Accept", "*/*")], b"hello") == []


def test_another_ecosystems_registry_is_not_passed_through_and_only_its_reads_say_so():
    pypi = REGISTRY_HOSTS_BY_ECOSYSTEM["pypi"]
    d = _get("registry.npmjs.org", "/playwright", allow=pypi)  # npm run by a PyPI package's calls
    assert not d.forward and not d.write and "another ecosystem's registry" in d.reason
    for target in ("/-/whoami", "/-/npm/v1/tokens"):  # not what npm reads to install
        d = _get("registry.npmjs.org", target, allow=pypi)
        assert not d.forward and "not a registry host of this run" in d.reason
    d = _get("registry.npmjs.org", "/playwright", method="PUT", allow=pypi)
    assert not d.forward and d.write
