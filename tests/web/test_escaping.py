"""What a package wrote (file names, commands, payloads, finding messages) is shown as text, never
run: pages escape it and forbid any script but their own."""

from __future__ import annotations

from webtest_fixtures import malicious_docs

from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import load_documents, open_index
from pkgtrace.results.stores import open_store

XSS = "<script>alert('pwned')</script>"


def test_hostile_strings_are_escaped(settings, client):
    pkg = Package(Ecosystem.PYPI, "xss-pkg", "1.0.0")
    docs = malicious_docs()
    docs["report"]["verdict"]["findings"][0]["message"] = XSS
    docs["report"]["verdict"]["findings"][0]["evidence"] = {"path": XSS}
    docs["dynamic"]["Analysis"]["install"]["Files"].append({"Path": f"/tmp/{XSS}", "Write": True})
    docs["dynamic"]["Analysis"]["install"]["Commands"].append({"Command": ["sh", "-c", XSS]})
    docs["report"]["static"]["install_hooks"][0]["excerpt"] = f"</pre>{XSS}"
    store = open_store(settings.results_url)
    store.put(pkg, docs)
    idx = open_index(settings.index_url)
    load_documents(idx, pkg, docs)
    idx.close()
    r = client.get("/release/pypi/xss-pkg/1.0.0")
    assert r.status_code == 200
    assert XSS not in r.text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    search = client.get("/", params={"q": XSS})
    assert XSS not in search.text and search.headers["content-security-policy"] == csp
