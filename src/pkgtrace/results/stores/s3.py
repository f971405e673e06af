"""Results in an S3-compatible object store (AWS S3, SeaweedFS, MinIO…), via boto3.

URL: s3://BUCKET[/PREFIX][?endpoint=http://host:port&region=us-east-1]; credentials come from the
usual AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, profiles).

S3 replaces single objects atomically but not sets of them, so a release's documents are written
under a fresh run folder, KEY/runs/RUN/<kind>.json, and then one small pointer object KEY/current.json
naming that run is written: readers follow the pointer and see all old or all new documents. The
previous run's objects are deleted after the swap."""

from __future__ import annotations

import json
import time
import uuid
from typing import Iterator
from urllib.parse import parse_qs, urlparse

from pkgtrace.extras import require
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.stores.interface import StoreError, package_from_key, serialise

POINTER = "current.json"


class S3Store:
    def __init__(self, url: str):
        boto3 = require("s3")
        from botocore.config import Config

        u = urlparse(url)
        if u.scheme != "s3" or not u.netloc:
            raise ValueError(f"not an s3://BUCKET[/PREFIX] URL: {url!r}")
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        self.bucket = u.netloc
        self.prefix = u.path.strip("/")
        self.url = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        endpoint = q.get("endpoint") or q.get("endpoint_url")
        config = Config(connect_timeout=float(q.get("connect_timeout", 5)), read_timeout=float(q.get("read_timeout", 30)),
                        retries={"max_attempts": int(q.get("retries", 3)), "mode": "standard"},
                        # Path-style works with every S3 clone; AWS itself still accepts it.
                        s3={"addressing_style": q.get("addressing_style", "path" if endpoint else "auto")})
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name=q.get("region", "us-east-1"),
                                   config=config)
        self._bucket_checked = False

    # ---- helpers -----------------------------------------------------------------------------
    def _base(self, package: Package) -> str:
        return f"{self.prefix}/{package.key}" if self.prefix else package.key

    def _call(self, what: str, fn, *args, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            return fn(*args, **kwargs)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise KeyError(what) from e
            raise StoreError(f"{self.url}: {what}: {code or e}") from e
        except BotoCoreError as e:
            raise StoreError(f"{self.url}: {what}: {e}") from e

    def _ensure_bucket(self) -> None:
        if self._bucket_checked:
            return
        try:
            self._call("head bucket", self.client.head_bucket, Bucket=self.bucket)
        except KeyError:
            self._call("create bucket", self.client.create_bucket, Bucket=self.bucket)
        self._bucket_checked = True

    def _read_json(self, key: str) -> dict | None:
        try:
            body = self._call(f"get {key}", self.client.get_object, Bucket=self.bucket, Key=key)["Body"].read()
        except KeyError:
            return None
        try:
            return json.loads(body)
        except ValueError as e:
            raise StoreError(f"{self.url}: {key} is not JSON: {e}") from e

    # ---- ResultStore -------------------------------------------------------------------------
    def location(self, package: Package) -> str:
        return f"s3://{self.bucket}/{self._base(package)}"

    def put(self, package: Package, documents: dict[str, dict]) -> None:
        self._ensure_bucket()
        base = self._base(package)
        old = self._read_json(f"{base}/{POINTER}")
        run = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
        for kind, doc in documents.items():
            self._call(f"put {kind}", self.client.put_object, Bucket=self.bucket,
                       Key=f"{base}/runs/{run}/{kind}.json", ContentType="application/json",
                       Body=serialise(kind, doc))
        pointer = {"run": run, "kinds": sorted(documents), "written": time.time()}
        self._call("put pointer", self.client.put_object, Bucket=self.bucket, Key=f"{base}/{POINTER}",
                   ContentType="application/json", Body=json.dumps(pointer).encode())
        if old and old.get("run") and old["run"] != run:
            self._delete_run(base, old)

    def _delete_run(self, base: str, pointer: dict) -> None:
        keys = [{"Key": f"{base}/runs/{pointer['run']}/{k}.json"} for k in pointer.get("kinds") or []]
        if keys:
            try:
                self._call("delete old run", self.client.delete_objects, Bucket=self.bucket,
                           Delete={"Objects": keys, "Quiet": True})
            except StoreError:
                pass  # garbage, not damage: the pointer no longer names it

    def get(self, package: Package, kind: str) -> dict | None:
        base = self._base(package)
        for _ in range(5):
            pointer = self._read_json(f"{base}/{POINTER}")
            if not pointer or kind not in (pointer.get("kinds") or []):
                return None
            doc = self._read_json(f"{base}/runs/{pointer['run']}/{kind}.json")
            if doc is not None:
                return doc
            # A writer replaced the set (and removed this run) between our two reads: follow it.
        raise StoreError(f"{self.url}: {package.key} keeps changing under the reader")

    def list(self, ecosystem: Ecosystem | None = None) -> Iterator[Package]:
        root = f"{self.prefix}/" if self.prefix else ""
        start = root + (f"{ecosystem.value}/" if ecosystem else "")
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
                for obj in page.get("Contents") or []:
                    key = obj["Key"]
                    if key.endswith("/" + POINTER):
                        yield package_from_key(key[len(root):-len(POINTER) - 1])
        except Exception as e:  # noqa: BLE001 - botocore's error tree; re-raise as ours
            from botocore.exceptions import BotoCoreError, ClientError
            if isinstance(e, (BotoCoreError, ClientError)):
                code = getattr(e, "response", {}).get("Error", {}).get("Code") if isinstance(e, ClientError) else None
                if code == "NoSuchBucket":
                    return
                raise StoreError(f"{self.url}: list: {e}") from e
            raise

    def delete(self, package: Package) -> None:
        base = self._base(package)
        pointer = self._read_json(f"{base}/{POINTER}")
        if not pointer:
            return
        try:
            self._call("delete pointer", self.client.delete_object, Bucket=self.bucket, Key=f"{base}/{POINTER}")
        except KeyError:
            pass
        self._delete_run(base, pointer)
