"""The document store's settings: an S3 bucket (TITLECERT_STORE_URL) or, unset, the home's folder."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from titlecert.errors import ConfigError

AddressingStyle = Literal["auto", "path", "virtual"]
ADDRESSING_STYLES: dict[str, AddressingStyle] = {"auto": "auto", "path": "path", "virtual": "virtual"}


@dataclass(frozen=True)
class S3Location:
    """The document store in a bucket of S3-compatible object storage (TITLECERT_STORE_URL=s3://...).
    Credentials are never settings: boto3 finds them in its standard chain (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the shared credentials file, an instance or task role)."""

    bucket: str
    """The bucket, which must exist (`titlecert init` checks it)."""
    prefix: str = ""
    """Prepended to every key: empty, or ending in `/` (several instances may share a bucket)."""
    endpoint_url: str | None = None
    """TITLECERT_S3_ENDPOINT_URL: a compatible server's URL (MinIO, Ceph, a cloud's S3 gateway);
    default: boto3's (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS S3 itself)."""
    region: str | None = None
    """TITLECERT_S3_REGION: the bucket's region; default: boto3's (AWS_REGION, AWS_DEFAULT_REGION,
    the profile's)."""
    addressing_style: AddressingStyle = "auto"
    """TITLECERT_S3_ADDRESSING_STYLE: `path` (http://host/bucket/key; the default with an endpoint
    URL, as MinIO wants), `virtual` (http://bucket.host/key) or `auto` (boto3 decides; the default
    for AWS)."""
    connect_timeout: float = 5.0
    """Seconds to wait for a connection to the endpoint."""
    read_timeout: float = 60.0
    """Seconds to wait for the endpoint to answer on an open connection."""
    attempts: int = 3
    """Tries per request, the first included (boto3's standard retry mode, with backoff)."""

    @property
    def url(self) -> str:
        """`s3://bucket/prefix`, as configured."""
        return f"s3://{self.bucket}/{self.prefix}"


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_S3_VARIABLES = ("TITLECERT_S3_ENDPOINT_URL", "TITLECERT_S3_REGION", "TITLECERT_S3_ADDRESSING_STYLE")


def store_location(env: Mapping[str, str]) -> S3Location | None:
    """The S3 document store TITLECERT_STORE_URL names, or None (the folder store) when it is unset.

    Raises ConfigError naming the variable: a URL that is not s3://BUCKET[/PREFIX], a bucket name S3
    would refuse, a prefix with `..` or empty segments, an endpoint URL that is not http(s)://host,
    an unknown addressing style, or TITLECERT_S3_* set without an s3:// store URL.
    """
    raw = env.get("TITLECERT_STORE_URL", "").strip()
    if not raw:
        given = [name for name in _S3_VARIABLES if env.get(name)]
        if given:
            raise ConfigError(
                f"{', '.join(given)} set, but TITLECERT_STORE_URL is not: set it to s3://BUCKET/PREFIX"
            )
        return None
    url = urlsplit(raw)
    if url.scheme != "s3" or not url.netloc or url.query or url.fragment or {":", "@"} & set(url.netloc):
        raise ConfigError(
            f"TITLECERT_STORE_URL must be s3://BUCKET or s3://BUCKET/PREFIX (unset: the folder "
            f"$TITLECERT_HOME/archive), not {raw!r}"
        )
    bucket = url.netloc
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ConfigError(
            f"TITLECERT_STORE_URL names the bucket {bucket!r}: a bucket name is 3-63 lower-case letters, "
            "digits, dots and hyphens, beginning and ending with a letter or digit"
        )
    prefix = url.path.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise ConfigError(f"TITLECERT_STORE_URL's prefix {prefix!r} must not have empty, '.' or '..' parts")
    endpoint = env.get("TITLECERT_S3_ENDPOINT_URL", "").strip().rstrip("/") or None
    if endpoint is not None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"TITLECERT_S3_ENDPOINT_URL must be http(s)://HOST[:PORT] (e.g. http://127.0.0.1:9000 for "
                f"MinIO), not {endpoint!r}"
            )
    given_style = env.get("TITLECERT_S3_ADDRESSING_STYLE", "").strip().lower() or (
        "path" if endpoint else "auto"
    )
    style = ADDRESSING_STYLES.get(given_style)
    if style is None:
        raise ConfigError(
            f"TITLECERT_S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}, "
            f"not {given_style!r}"
        )
    return S3Location(
        bucket=bucket,
        prefix=f"{prefix}/" if prefix else "",
        endpoint_url=endpoint,
        region=env.get("TITLECERT_S3_REGION", "").strip() or None,
        addressing_style=style,
    )
