"""The JSON API as a program uses it: search, releases and their documents, versions, diff,
submissions with and without a token, verify, status; unknown releases answer 404."""

from __future__ import annotations

import json

from webtest_support import TOKEN
from webtest_fixtures import EVIL_NEW

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_openapi_is_served(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/search", "/api/releases/{ecosystem}/{name}/{version}", "/api/packages/{ecosystem}/{name}",
                 "/api/diff/{ecosystem}/{name}", "/api/submissions", "/api/uploads", "/api/uploads/{upload_id}",
                 "/api/verify", "/api/status", "/api/releases/{ecosystem}/{name}/{version}/documents/{kind}"):
        assert path in doc["paths"], path
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200


def test_search(client):
    r = client.get("/api/search", params={"q": "EVIL"}).json()
    assert r["total"] == 3
    assert [x["version"] for x in r["results"] if x["label"]] == ["1.0.0", "0.9.0"]
    pinned = client.get("/api/search", params={"q": "evil-pkg@1.0.0"}).json()
    assert [(x["version"], x["label"]) for x in pinned["results"]] == [("1.0.0", "malicious")]
    assert client.get("/api/search", params={"q": "evil", "label": "benign"}).json()["total"] == 1
    assert client.get("/api/search", params={"q": "widget", "ecosystem": "npm"}).json()["results"][0]["name"] == "@acme/widget"
    assert client.get("/api/search", params={"q": "%"}).json()["total"] == 0  # LIKE wildcards are literal
    assert client.get("/api/search", params={"ecosystem": "cpan"}).status_code == 422


def test_release_and_documents(client):
    r = client.get("/api/releases/pypi/evil-pkg/1.0.0").json()
    assert r["release"]["label"] == "malicious" and r["release"]["state"] == "done"
    assert r["verdict"] == {"label": "malicious", "score": 0.97}
    assert r["url"].endswith("/release/pypi/evil-pkg/1.0.0")
    assert [f["rule"] for f in r["findings"]] == ["dynamic.bait_read", "static.curl_pipe_sh"]
    assert r["findings"][0]["evidence"]["path"] == "/root/.ssh/id_rsa"
    assert r["predecessor"] == "0.9.0"
    assert sorted(r["documents"]) == ["dynamic", "report", "static"]
    dyn = client.get(r["documents"]["dynamic"]).json()
    assert dyn["Package"] == {"Ecosystem": "pypi", "Name": "evil-pkg", "Version": "1.0.0"}
    assert dyn["Analysis"]["install"]["Sockets"][0]["Address"] == "203.0.113.7"
    static = client.get(r["documents"]["static"]).json()
    assert static["schema_version"] == "1.0" and static["results"]["files"][0]["filename"] == "setup.py"
    report = client.get(r["documents"]["report"]).json()
    assert report["verdict"]["label"] == "malicious"


def test_scoped_npm_name(client):
    assert client.get("/api/releases/npm/@acme/widget/2.0.0").json()["release"]["label"] == "benign"
    assert client.get("/api/releases/npm/@acme%2Fwidget/2.0.0").json()["release"]["name"] == "@acme/widget"
    assert client.get("/api/releases/npm/@acme/widget/2.0.0/documents/report").json()["package"]["name"] == "@acme/widget"
    versions = client.get("/api/packages/npm/@acme/widget").json()["versions"]
    assert [v["version"] for v in versions] == ["2.0.0"]


def test_unknown_releases_are_404(client):
    for path in ("/api/releases/pypi/no-such/1.0", "/api/releases/pypi/evil-pkg/9.9.9",
                 "/api/releases/pypi/evil-pkg/9.9.9/documents/report", "/api/packages/npm/no-such",
                 "/api/diff/pypi/no-such?old=1&new=2", "/api/diff/pypi/evil-pkg?old=0.1&new=1.0.0",
                 "/api/uploads/" + "0" * 32, "/api/uploads/not-an-id"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert isinstance(r.json()["detail"], str)
    # Known but not analysed: the release answers (state new), its documents do not exist.
    r = client.get("/api/releases/pypi/evil-pkg/1.1.0").json()
    assert (r["release"]["state"], r["analysis"], r["verdict"]) == ("new", None, None)
    assert client.get("/api/releases/pypi/evil-pkg/1.1.0/documents/dynamic").status_code == 404
    assert client.get("/api/releases/cpan/x/1").status_code == 422
    assert client.get("/api/releases/pypi/evil-pkg/1.0.0/documents/other").status_code == 422


def test_versions_and_diff(client):
    versions = client.get("/api/packages/pypi/evil-pkg").json()["versions"]
    assert [(v["version"], v["label"]) for v in versions] == [("0.9.0", "benign"), ("1.0.0", "malicious"), ("1.1.0", None)]
    d = client.get("/api/diff/pypi/evil-pkg", params={"old": "0.9.0", "new": "1.0.0"}).json()
    assert d["label"] == {"old": "benign", "new": "malicious"} and d["changed"]
    sections = {s["name"]: s for s in d["sections"]}
    assert any("exfil.example" in x for x in sections["hosts"]["added"])
    assert any("sh -c curl" in x for x in sections["commands"]["added"])
    assert d["canonical"]["schema_version"] == "pkgtrace-diff/1"
    # NEW defaults to the newest analysed version, OLD to its predecessor.
    d2 = client.get("/api/diff/pypi/evil-pkg").json()
    assert (d2["old"]["version"], d2["new"]["version"]) == ("0.9.0", "1.0.0")
    back = client.get("/api/diff/pypi/evil-pkg", params={"old": "1.0.0", "new": "0.9.0"}).json()
    assert {s["name"]: s for s in back["sections"]}["hosts"]["removed"]


def test_submit_needs_a_token(client):
    body = {"ecosystem": "pypi", "name": "requests", "version": "2.32.3"}
    r = client.post("/api/submissions", json=body)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = client.post("/api/submissions", json=body, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["detail"] == "invalid API token"
    r = client.post("/api/submissions", json=body, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401
    assert client.get("/api/releases/pypi/requests/2.32.3").status_code == 404  # nothing recorded
    r = client.post("/api/submissions", json=body, headers=AUTH)
    assert r.status_code == 202, r.text
    assert r.json()["result"] == "new"
    poll = client.get(r.json()["poll_url"]).json()
    assert poll["release"]["state"] == "new" and poll["release"]["source"] == "api"
    assert client.post("/api/submissions", json=body, headers=AUTH).json()["result"] == "exists"
    assert client.post("/api/submissions", json={**body, "force": True}, headers=AUTH).json()["result"] == "requeued"
    # An analysed release is not analysed again unless forced.
    done = {"ecosystem": "pypi", "name": EVIL_NEW.name, "version": EVIL_NEW.version}
    assert client.post("/api/submissions", json=done, headers=AUTH).json()["result"] == "exists"
    bad = client.post("/api/submissions", json={"ecosystem": "pypi", "name": "x\x00y", "version": "1"}, headers=AUTH)
    assert bad.status_code == 422


def test_submit_disabled_without_tokens(settings):
    from fastapi.testclient import TestClient
    from pkgtrace.web import create_app
    settings.tokens = []
    with TestClient(create_app(settings)) as c:
        r = c.post("/api/submissions", json={"ecosystem": "pypi", "name": "a", "version": "1"},
                   headers={"Authorization": "Bearer anything"})
        assert r.status_code == 401 and "without API tokens" in r.json()["detail"]
        assert c.get("/api/search").status_code == 200  # reads stay public


def test_verify_lockfile(client):
    lock = b"evil-pkg==1.0.0\nrequests==2.32.3\nthing @ git+https://example.invalid/thing.git\n"
    r = client.post("/api/verify", files={"lockfile": ("requirements.txt", lock)})
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["failed"] is True and v["format"] == "requirements.txt"
    by_name = {d["name"]: d for d in v["dependencies"]}
    assert by_name["evil-pkg"]["status"] == "malicious" and by_name["evil-pkg"]["url"].endswith("/evil-pkg/1.0.0")
    assert by_name["requests"]["status"] == "unknown" and by_name["thing"]["status"] == "not_checked"
    # Submitting the unknown ones needs a token.
    assert client.post("/api/verify", files={"lockfile": ("requirements.txt", lock)},
                       data={"submit": "true"}).status_code == 401
    v2 = client.post("/api/verify", files={"lockfile": ("requirements.txt", lock)}, data={"submit": "true"},
                     headers=AUTH).json()
    assert v2["submitted"] == 1 and {d["name"]: d["status"] for d in v2["dependencies"]}["requests"] == "pending"
    ok = client.post("/api/verify", files={"lockfile": ("requirements.txt", b"evil-pkg==0.9.0\n")}).json()
    assert ok["failed"] is False and ok["counts"] == {"benign": 1}
    # another spelling of the name finds the release; its page is under the name it is stored as
    [dep] = client.post("/api/verify", files={"lockfile": ("requirements.txt", b"Evil_Pkg==1.0.0\n")}).json()["dependencies"]
    assert dep["status"] == "malicious" and dep["url"] == "/release/pypi/evil-pkg/1.0.0"


def test_verify_reads_and_submits_off_the_event_loop(client, monkeypatch):
    """A lockfile of thousands of pins is thousands of index reads and submissions: none of them
    may run on the event loop, where they would stall every other request meanwhile."""
    import asyncio
    from pkgtrace.verify.local import LocalDataset
    on_loop = []

    def noting(method):
        def wrapped(self, *a, **kw):
            try:
                asyncio.get_running_loop()
                on_loop.append(method.__name__)
            except RuntimeError:  # a worker thread: no loop running here
                pass
            return method(self, *a, **kw)
        return wrapped
    for name in ("lookup", "state", "submit"):
        monkeypatch.setattr(LocalDataset, name, noting(getattr(LocalDataset, name)))
    lock = b"evil-pkg==1.0.0\nrequests==2.32.3\n"
    v = client.post("/api/verify", files={"lockfile": ("requirements.txt", lock)}, data={"submit": "true"},
                    headers=AUTH).json()
    assert v["submitted"] == 1 and on_loop == []


def test_verify_flags_what_imported_osv_records_cover(client, settings, tmp_path):
    """The HTTP verify is `pkgtrace verify`'s: a release an imported malicious-package record
    covers is malicious, analysed or not."""
    from pkgtrace.results.index import open_index
    from pkgtrace.results.index.osv import import_osv
    rec = tmp_path / "MAL-2025-7.json"
    rec.write_text(json.dumps({"schema_version": "1.5.0", "id": "MAL-2025-7", "modified": "2025-01-02T03:04:05Z",
                               "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                                             "versions": ["2.32.3"]}]}))
    idx = open_index(settings.index_url)
    import_osv(idx, rec)
    idx.close()
    lock = b"requests==2.32.3\nrequests-oauthlib==2.0.0\n"
    v = client.post("/api/verify", files={"lockfile": ("requirements.txt", lock)}, data={"fail_on": "malicious"}).json()
    assert v["failed"] is True
    assert {d["name"]: d["status"] for d in v["dependencies"]} == {"requests": "malicious",
                                                                   "requests-oauthlib": "unknown"}


def test_verify_bad_lockfiles(client):
    r = client.post("/api/verify", files={"lockfile": ("package-lock.json", b"{not json")})
    assert r.status_code == 422 and "package-lock.json" in r.json()["detail"]
    r = client.post("/api/verify", files={"lockfile": ("x.lock", b"a==1\n")}, data={"format": "nope"})
    assert r.status_code == 422 and "unknown lockfile type" in r.json()["detail"]
    r = client.post("/api/verify", files={"lockfile": ("requirements.txt", b"a==1\n" * 3_000_000)})
    assert r.status_code == 413


def test_status(client):
    s = client.get("/api/status").json()
    assert s["releases"] == {"done": 3, "new": 1}
    assert s["queue"]["ready"] == 0 and s["queue_error"] is None
    assert s["throughput"]["analyses_total"] == 3
    assert [x["version"] for x in s["recent"]][:1] == ["2.0.0"]


def test_submitted_release_with_a_non_ascii_name_is_found_again(client):
    # schemathesis found it: SQLite's lower() leaves "À" alone, Python's gives "à"
    r = client.post("/api/submissions", json={"ecosystem": "packagist", "name": "À", "version": "0"},
                    headers=AUTH)
    assert r.status_code in (200, 201, 202), r.text
    assert r.json()["release"]["name"] == "À"


def test_every_answer_says_its_schema_version(client):
    """Bodies, errors and refusals alike: a consumer can tell which shapes it reads."""
    answers = [client.get("/api/search?q=a"), client.get("/api/status"),
               client.get("/api/releases/pypi/no-such-package/1.0"),  # 404
               client.get("/api/search", params={"ecosystem": "cpan"}),  # invalid
               client.post("/api/submissions", json={"ecosystem": "pypi", "name": "x"})]  # no token
    assert [r.status_code for r in answers][:2] == [200, 200] and all(r.status_code >= 400 for r in answers[2:])
    assert {r.json()["schema_version"] for r in answers} == {"pkgtrace-api/1"}
