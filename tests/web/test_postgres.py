"""The API's read queries on a real PostgreSQL index (the dataset past one machine)."""

from __future__ import annotations

from webtest_fixtures import seed


def test_api_on_postgresql(postgres, tmp_path):
    from fastapi.testclient import TestClient

    from pkgtrace.results.index import open_index
    from pkgtrace.results.stores.local import LocalStore
    from pkgtrace.web import WebSettings, create_app
    pg = postgres
    pg.reset()
    idx = open_index(pg.url)
    seed(idx, LocalStore(tmp_path / "results"))
    idx.close()
    settings = WebSettings(index_url=pg.url, results_url=str(tmp_path / "results"), queue_url=None,
                           uploads_dir=tmp_path / "uploads")
    with TestClient(create_app(settings)) as c:
        r = c.get("/api/search", params={"q": "Evil_", "label": "malicious"}).json()
        assert r["total"] == 0  # '_' is a literal, not a LIKE wildcard
        r = c.get("/api/search", params={"q": "EVIL-pkg"}).json()
        assert r["total"] == 3 and r["results"][0]["name"] == "evil-pkg"
        assert c.get("/api/releases/pypi/evil-pkg/1.0.0").json()["predecessor"] == "0.9.0"
        assert [v["version"] for v in c.get("/api/packages/pypi/evil-pkg").json()["versions"]] == ["0.9.0", "1.0.0", "1.1.0"]
        assert c.get("/api/diff/pypi/evil-pkg").json()["label"] == {"old": "benign", "new": "malicious"}
        v = c.post("/api/verify", files={"lockfile": ("requirements.txt", b"Evil_Pkg==1.0.0\n")}).json()
        assert v["failed"] and v["dependencies"][0]["status"] == "malicious"
        st = c.get("/api/status").json()
        assert st["releases"] == {"done": 3, "new": 1} and st["queue"] is None
        assert c.get("/release/pypi/evil-pkg/1.0.0").status_code == 200
        assert c.get("/api/releases/pypi/" + "x" * 400 + "/1").status_code == 404
