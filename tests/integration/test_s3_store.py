"""The S3 document store against moto's server mode: real HTTP, real boto3, a throwaway bucket per
test."""

import hashlib
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.s3server import moto_server, session
from titlecert.errors import StoreError, StoreIntegrityError
from titlecert.s3store import S3Store
from titlecert.settings.store import S3Location


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


@pytest.fixture
def bucket(endpoint: str) -> str:
    name = f"archive-{secrets.token_hex(4)}"
    session().client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


def store_on(endpoint: str, bucket: str, prefix: str = "instance-a/") -> S3Store:
    return S3Store(S3Location(bucket, prefix, endpoint, addressing_style="path"), session=session())


def test_put_get_exists_and_overwrite(endpoint: str, bucket: str) -> None:
    store = store_on(endpoint, bucket)
    store.check()
    assert not store.exists("certificates/A.pdf")
    store.put("certificates/A.pdf", b"%PDF-1.7 first")
    assert store.exists("certificates/A.pdf")
    assert store.get("certificates/A.pdf") == b"%PDF-1.7 first"
    store.put("certificates/A.pdf", b"%PDF-1.7 second, longer")
    assert store.get("certificates/A.pdf") == b"%PDF-1.7 second, longer"
    with pytest.raises(KeyError):
        store.get("certificates/missing.pdf")

    raw = session().client("s3", endpoint_url=endpoint)
    head = raw.head_object(Bucket=bucket, Key="instance-a/certificates/A.pdf")  # under the prefix
    assert head["Metadata"] == {"sha256": hashlib.sha256(b"%PDF-1.7 second, longer").hexdigest()}
    assert head["ContentType"] == "application/pdf"
    assert not store_on(endpoint, bucket, prefix="instance-b/").exists("certificates/A.pdf")


def test_a_folder_is_deleted_page_by_page_and_nothing_beside_it(endpoint: str, bucket: str) -> None:
    store = store_on(endpoint, bucket)
    keys = [f"jobs/1/sealed/{i:04d}.pdf" for i in range(1005)] + ["jobs/1/session.json"]  # past one page
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: store.put(key, b"x"), [*keys, "jobs/12/session.json"]))
    store_on(endpoint, bucket, prefix="instance-b/").put("jobs/1/session.json", b"x")
    assert store.delete_folder("jobs/1") == len(keys)
    assert not store.exists("jobs/1/session.json") and store.exists("jobs/12/session.json")
    assert store_on(endpoint, bucket, prefix="instance-b/").exists("jobs/1/session.json")
    assert store.delete_folder("jobs/1") == 0


def test_bytes_changed_behind_the_stores_back_are_refused(endpoint: str, bucket: str) -> None:
    store = store_on(endpoint, bucket)
    store.put("certificates/A.pdf", b"%PDF-1.7 sealed")
    raw = session().client("s3", endpoint_url=endpoint)
    key = "instance-a/certificates/A.pdf"
    kept = raw.head_object(Bucket=bucket, Key=key)["Metadata"]
    raw.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.7 forged", Metadata=kept)
    with pytest.raises(
        StoreIntegrityError, match=r"'instance-a/certificates/A.pdf' in the bucket .*changed or damaged"
    ):
        store.get("certificates/A.pdf")

    raw.put_object(Bucket=bucket, Key="instance-a/certificates/B.pdf", Body=b"%PDF-1.7 dropped in")
    with pytest.raises(StoreIntegrityError, match="has no SHA-256 in its metadata"):
        store.get("certificates/B.pdf")


def test_a_missing_bucket_is_named_with_what_to_check(endpoint: str) -> None:
    store = store_on(endpoint, "no-such-bucket")
    message = (
        r"the bucket 'no-such-bucket' does not exist at http://127\.0\.0\.1:\d+; create it, or correct the "
        r"bucket in TITLECERT_STORE_URL"
    )
    with pytest.raises(StoreError, match=r"^cannot store the object 'instance-a/A\.pdf': " + message):
        store.put("A.pdf", b"%PDF")
    with pytest.raises(StoreError, match=r"^cannot read the object 'instance-a/A\.pdf': " + message):
        store.get("A.pdf")
    with pytest.raises(StoreError, match=r"^cannot look up the object 'instance-a/A\.pdf': " + message):
        store.exists("A.pdf")
    with pytest.raises(StoreError, match="^" + message):
        store.check()


def test_keys_follow_the_folder_stores_rules(endpoint: str, bucket: str) -> None:
    store = store_on(endpoint, bucket)
    for key in ("../escape.pdf", "/absolute.pdf", "a//b.pdf"):
        with pytest.raises(StoreError, match="is not a storage key"):
            store.put(key, b"%PDF")
    assert not store.exists("escape.pdf")
