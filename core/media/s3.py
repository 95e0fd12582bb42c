"""The S3 media store (STORYREEL_MEDIA_URL=s3://bucket/prefix, STORYREEL_S3_ENDPOINT_URL for MinIO, R2
or any S3-compatible server), through boto3. ``core.media.store`` describes the interface and picks
the store; this module is loaded only when an S3 store is configured (boto3 is slow to import)."""
from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from core.errors import MediaStoreUnavailable
from core.media.files import atomic_path

PRESIGN_MAX_S = 7 * 24 * 3600  # S3's limit for a presigned (SigV4) URL
_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Store:
    """Objects in an S3 bucket (AWS, MinIO, R2, any S3-compatible server) under a key prefix."""

    remote = True

    def __init__(self, *, bucket: str, prefix: str, endpoint_url: str | None):
        self.bucket, self.prefix, self.endpoint_url = bucket, prefix.strip("/"), endpoint_url or None
        region = boto3.session.Session().region_name or "us-east-1"
        # Path-style addressing and SigV4 work with every S3-compatible server (and presign for them).
        config = Config(signature_version="s3v4", connect_timeout=5, read_timeout=60,
                        retries={"max_attempts": 4, "mode": "standard"},
                        s3={"addressing_style": "path" if self.endpoint_url else "auto"})
        self.client = boto3.client("s3", endpoint_url=self.endpoint_url, region_name=region, config=config)

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, "open the bucket") from exc

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, exc: Exception, doing: str) -> MediaStoreUnavailable:
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else type(exc).__name__
        return MediaStoreUnavailable(
            f"The media store {self.describe()} could not {doing} ({code}): check STORYREEL_MEDIA_URL, "
            "STORYREEL_S3_ENDPOINT_URL and the store's credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).")

    def _found(self, call: Callable[[], object], doing: str) -> bool:
        """Run ``call``; True when it worked, False when the object is missing; any other failure
        raises MediaStoreUnavailable naming what was being done."""
        try:
            call()
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") in _MISSING:
                return False
            raise self._fail(exc, doing) from exc
        except BotoCoreError as exc:
            raise self._fail(exc, doing) from exc

    def exists(self, *, key: str) -> bool:
        return self._found(lambda: self.client.head_object(Bucket=self.bucket, Key=self._key(key)), f"look up {key}")

    def put(self, *, key: str, path: Path, overwrite: bool = False) -> None:
        if not overwrite and self.exists(key=key):
            return
        try:
            mime = mimetypes.guess_type(key)[0] or "application/octet-stream"
            self.client.upload_file(str(path), self.bucket, self._key(key), ExtraArgs={"ContentType": mime})
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, f"store {key}") from exc

    def fetch(self, *, key: str, dest: Path) -> bool:
        def download() -> None:
            with atomic_path(Path(dest)) as tmp:
                self.client.download_file(self.bucket, self._key(key), str(tmp))

        return self._found(download, f"read {key}")

    def delete(self, *, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, f"delete {key}") from exc

    def presigned_url(self, *, key: str, expires_in_s: int, filename: str, mime: str) -> str | None:
        params = {"Bucket": self.bucket, "Key": self._key(key), "ResponseContentType": mime,
                  "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
        try:
            return self.client.generate_presigned_url("get_object", Params=params,
                                                      ExpiresIn=max(1, min(int(expires_in_s), PRESIGN_MAX_S)))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, f"sign a link to {key}") from exc
