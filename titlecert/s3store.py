"""The document store in a bucket of S3-compatible object storage (AWS S3, MinIO, Ceph, ...).

Every put sends the bytes' MD5 (Content-MD5) and SHA-256 (x-amz-checksum-sha256), which the server
checks before it keeps anything, and records the SHA-256 in the object's metadata; every get hashes
what came back and compares it with that record, so bytes changed in the bucket behind the store's
back, or damaged on the way, are refused rather than returned. A put replaces an object whole, and
S3 reads after writes are consistent, so machines sharing the bucket see whole copies only.

Credentials come from boto3's standard chain; the location, endpoint and region from the settings.
Every botocore failure becomes a StoreError naming the bucket and key and saying what to check.
"""

import base64
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    FlexibleChecksumError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    SSLError,
)

from titlecert.errors import StoreError, StoreIntegrityError
from titlecert.settings.store import S3Location
from titlecert.store import check_key

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client
    from types_boto3_s3.type_defs import DeleteObjectsOutputTypeDef, ObjectIdentifierTypeDef

T = TypeVar("T")

SHA256_METADATA = "sha256"
"""The user metadata entry (x-amz-meta-sha256) holding the hex SHA-256 of the stored bytes."""

_MISSING_KEY = {"NoSuchKey", "404", "NotFound"}
_MISSING_BUCKET = {"NoSuchBucket"}
_REFUSED = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "InvalidClientTokenId",
    "AllAccessDisabled",
    "403",
    "Forbidden",
}
_WRONG_REGION = {
    "PermanentRedirect",
    "AuthorizationHeaderMalformed",
    "IllegalLocationConstraintException",
    "301",
}
_DAMAGED_IN_TRANSIT = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"}


class S3Store:
    """Archive copies as objects `prefix + key` in one bucket."""

    def __init__(self, location: S3Location, *, session: boto3.session.Session | None = None) -> None:
        """A store on `location`, with a client from `session` (default: a new one, so boto3's standard
        credential chain). Connects to nothing. Raises StoreError when boto3 refuses the settings
        (an invalid region name, say)."""
        self.location = location
        config = Config(
            connect_timeout=location.connect_timeout,
            read_timeout=location.read_timeout,
            retries={"total_max_attempts": location.attempts, "mode": "standard"},
            s3={"addressing_style": location.addressing_style},
            # The store sends its own checksums, as headers: boto3's default CRC32 trailers (chunked
            # uploads) are not understood by every S3-compatible server.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            user_agent_extra="titlecert",
        )
        try:
            self._client: S3Client = (session or boto3.session.Session()).client(
                "s3", endpoint_url=location.endpoint_url, region_name=location.region, config=config
            )
        except BotoCoreError as e:
            raise StoreError(
                f"cannot set up the S3 client for {location.url}: {e}; check TITLECERT_S3_REGION and "
                "TITLECERT_S3_ENDPOINT_URL"
            ) from e
        self._bucket_seen = False

    def __str__(self) -> str:
        return f"{self.location.url} at {self.endpoint}"

    @property
    def endpoint(self) -> str:
        """The URL requests go to (the configured endpoint, or the one boto3 chose)."""
        return str(self._client.meta.endpoint_url)

    def _object(self, key: str) -> str:
        return self.location.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing any object there whole; the server refuses bytes that
        do not match the checksums sent. Raises StoreError (a bad key, a missing bucket, refused
        credentials, an unreachable endpoint, bytes damaged on the way)."""
        name = self._object(key)
        sha256 = hashlib.sha256(data)
        md5 = hashlib.md5(data, usedforsecurity=False)
        self._call(
            "store",
            key,
            lambda: self._client.put_object(
                Bucket=self.location.bucket,
                Key=name,
                Body=data,
                ContentType="application/pdf" if key.endswith(".pdf") else "application/octet-stream",
                ContentMD5=base64.b64encode(md5.digest()).decode(),
                ChecksumSHA256=base64.b64encode(sha256.digest()).decode(),
                Metadata={SHA256_METADATA: sha256.hexdigest()},
            ),
        )
        self._bucket_seen = True

    def get(self, key: str) -> bytes:
        """The bytes stored under `key`, checked against the SHA-256 recorded when they were stored.
        Raises KeyError when there is no such object; StoreIntegrityError when the bytes are not
        the ones stored (or no SHA-256 was recorded: not stored by titlecert); StoreError otherwise."""
        name = self._object(key)

        def read() -> tuple[bytes, str | None]:
            answer = self._client.get_object(Bucket=self.location.bucket, Key=name, ChecksumMode="ENABLED")
            return answer["Body"].read(), answer.get("Metadata", {}).get(SHA256_METADATA)

        try:
            data, recorded = self._call("read", key, read)
        except FlexibleChecksumError as e:
            raise StoreIntegrityError(
                f"{self._where(key)}: the bytes that arrived do not match the object's checksum "
                "(damaged on the way); try again"
            ) from e
        if recorded is None:
            raise StoreIntegrityError(
                f"{self._where(key)} has no SHA-256 in its metadata (x-amz-meta-{SHA256_METADATA}): it was "
                "not stored by titlecert, so its bytes cannot be trusted; restore the copy titlecert stored"
            )
        actual = hashlib.sha256(data).hexdigest()
        if actual != recorded.lower():
            raise StoreIntegrityError(
                f"{self._where(key)}: the stored bytes (SHA-256 {actual[:16]}...) are not those titlecert "
                f"stored (SHA-256 {recorded[:16]}...): the object was changed or damaged in the bucket; "
                "restore it from a backup or the bucket's object versions"
            )
        return data

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`. Raises StoreError as `put` does, and when the
        bucket itself is missing (checked once, the first time a key is not found)."""
        name = self._object(key)
        try:
            self._call(
                "look up", key, lambda: self._client.head_object(Bucket=self.location.bucket, Key=name)
            )
        except KeyError:
            if not self._bucket_seen:  # HEAD answers have no body: is it the key or the bucket?
                try:
                    self._call("look up", key, lambda: self._client.head_bucket(Bucket=self.location.bucket))
                except KeyError as e:
                    raise self._missing_bucket("look up", key) from e
                self._bucket_seen = True
            return False
        self._bucket_seen = True
        return True

    def delete_folder(self, folder: str) -> int:
        """Delete the objects named `prefix + folder + "/..."`, a page of up to 1000 at a time.
        Raises StoreError as `put` does, and naming the first object the server would not delete."""
        bucket, prefix = self.location.bucket, self._object(folder) + "/"
        lister = self._client.get_paginator("list_objects_v2")
        deleted = 0
        for page in self._call("list", folder, lambda: list(lister.paginate(Bucket=bucket, Prefix=prefix))):
            contents = page.get("Contents", [])
            batch: list[ObjectIdentifierTypeDef] = [{"Key": item["Key"]} for item in contents]
            if not batch:
                continue

            def delete(batch: "list[ObjectIdentifierTypeDef]" = batch) -> "DeleteObjectsOutputTypeDef":
                return self._client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})

            refused = self._call("delete", folder, delete).get("Errors", [])
            if refused:
                first = refused[0]
                raise StoreError(
                    f"cannot delete {first.get('Key')!r} in the bucket {bucket!r} at {self.endpoint}: "
                    f"{first.get('Code')} ({first.get('Message', '')}); check that the credentials may "
                    "delete objects"
                )
            deleted += len(batch)
        return deleted

    def check(self) -> None:
        """Make sure the bucket exists and the credentials are accepted for it (a HEAD of the bucket,
        which needs s3:ListBucket). Raises StoreError saying what to check."""
        try:
            self._call("reach", None, lambda: self._client.head_bucket(Bucket=self.location.bucket))
        except KeyError as e:  # HEAD answers have no body: a bare 404 means no such bucket
            raise self._missing_bucket("reach", None) from e
        self._bucket_seen = True

    def _where(self, key: str | None) -> str:
        """The object (or the bucket) and the endpoint, for messages."""
        bucket = f"the bucket {self.location.bucket!r} at {self.endpoint}"
        return bucket if key is None else f"the object {self.location.prefix + key!r} in {bucket}"

    def _missing_bucket(self, action: str, key: str | None) -> StoreError:
        what = "" if key is None else f"cannot {action} the object {self.location.prefix + key!r}: "
        return StoreError(
            f"{what}the bucket {self.location.bucket!r} does not exist at {self.endpoint}; create it, or "
            "correct the bucket in TITLECERT_STORE_URL (and TITLECERT_S3_ENDPOINT_URL, TITLECERT_S3_REGION)"
        )

    def _call(self, action: str, key: str | None, request: Callable[[], T]) -> T:
        """`request()`, with botocore's failures turned into StoreError (KeyError for a missing
        object)."""
        try:
            return request()
        except ClientError as e:
            self._client_error(e, action, key)
        except (NoCredentialsError, PartialCredentialsError) as e:
            raise StoreError(
                f"cannot {action} {self._where(key)}: no S3 credentials found; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or give the machine a role)"
            ) from e
        except SSLError as e:
            raise StoreError(
                f"cannot {action} {self._where(key)}: the endpoint's TLS certificate was not accepted ({e}); "
                "check TITLECERT_S3_ENDPOINT_URL, and AWS_CA_BUNDLE for a private CA"
            ) from e
        except ConnectionError as e:
            raise StoreError(
                f"cannot {action} {self._where(key)}: the endpoint did not answer after "
                f"{self.location.attempts} attempts ({e}); check TITLECERT_S3_ENDPOINT_URL, the network "
                "and that the server is running"
            ) from e
        except HTTPClientError as e:
            raise StoreError(
                f"cannot {action} {self._where(key)}: the connection failed after "
                f"{self.location.attempts} attempts ({e}); check the network and try again"
            ) from e
        except FlexibleChecksumError:
            raise
        except BotoCoreError as e:
            raise StoreError(f"cannot {action} {self._where(key)}: {e}") from e

    def _client_error(self, e: ClientError, action: str, key: str | None) -> NoReturn:
        error = e.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        where = self._where(key)
        if code in _MISSING_BUCKET:
            raise self._missing_bucket(action, key) from e
        if code in _MISSING_KEY and key is not None:
            raise KeyError(key) from e
        if code in _MISSING_KEY:
            raise KeyError(self.location.bucket) from e
        if code in _REFUSED:
            raise StoreError(
                f"cannot {action} {where}: access refused ({code}); check the credentials (AWS_ACCESS_KEY_ID "
                "and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and that they may get, put and list objects in "
                "the bucket"
            ) from e
        if code in _WRONG_REGION:
            raise StoreError(
                f"cannot {action} {where}: the bucket is in another region ({code}); set TITLECERT_S3_REGION "
                "to the bucket's region"
            ) from e
        if code in _DAMAGED_IN_TRANSIT:
            raise StoreIntegrityError(
                f"cannot {action} {where}: the server refused the bytes as damaged on the way ({code}: "
                f"{error.get('Message', '')}); nothing was stored; try again"
            ) from e
        raise StoreError(
            f"cannot {action} {where}: the server answered {code or status} ({error.get('Message', '')})"
        ) from e
