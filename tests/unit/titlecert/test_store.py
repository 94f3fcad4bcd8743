"""The document store: one key rule, the factory, the S3 settings, and how S3 failures read (botocore's
Stubber, a refused loopback port, an empty credential chain; no server)."""

from pathlib import Path

import pytest
from botocore.stub import Stubber

from tests.s3server import session
from titlecert.configured_store import open_store
from titlecert.errors import StoreError, StoreIntegrityError
from titlecert.s3store import S3Store
from titlecert.settings import from_env
from titlecert.settings.store import S3Location, store_location
from titlecert.store import FolderStore, check_key

GOOD_KEYS = ["certificates/CQZC2026000001.pdf", "review-forms/a b/职称评审表.pdf", "x", "a/.hidden", "a..b/c"]
BAD_KEYS = {
    "": "it is empty",
    "/etc/passwd": "begins with '/'",
    "../outside.pdf": r"an empty, '\.' or '\.\.' part",
    "a/../../b.pdf": r"an empty, '\.' or '\.\.' part",
    "a//b.pdf": "an empty",
    "a/./b.pdf": "an empty",
    "a/": "an empty",
    "a\\..\\b.pdf": "backslash",
    "a\x00.pdf": "control character",
    "a\n.pdf": "control character",
}


@pytest.mark.parametrize("key", GOOD_KEYS)
def test_storage_keys_are_relative_paths(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize(("key", "why"), BAD_KEYS.items())
def test_other_keys_are_refused_saying_why(key: str, why: str) -> None:
    with pytest.raises(StoreError, match=f"is not a storage key: .*{why}"):
        check_key(key)


def test_the_folder_store_applies_the_key_rule_and_answers_exists(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "archive")
    assert not store.exists("certificates/A.pdf")
    store.put("certificates/A.pdf", b"%PDF-1.7")
    assert store.exists("certificates/A.pdf") and not store.exists("certificates")
    with pytest.raises(StoreError, match="is not a storage key"):
        store.exists("../archive/certificates/A.pdf")
    with pytest.raises(StoreError, match="is not a storage key"):
        store.get("/certificates/A.pdf")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "archive" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(StoreError, match="leads out of"):
        store.put("link/A.pdf", b"%PDF-1.7")


def test_the_folder_store_deletes_a_folder_and_nothing_beside_it(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "archive")
    for key in ["jobs/1/session.json", "jobs/1/sealed/a.pdf", "jobs/1/photos/b.jpg", "jobs/12/session.json"]:
        store.put(key, b"x")
    assert store.delete_folder("jobs/1") == 3
    assert not store.exists("jobs/1/sealed/a.pdf") and store.exists("jobs/12/session.json")
    assert store.delete_folder("jobs/1") == 0
    with pytest.raises(StoreError, match="is not a storage key"):
        store.delete_folder("jobs/../..")


def test_open_store_is_the_folder_in_the_home_unless_a_bucket_is_configured(tmp_path: Path) -> None:
    folder = open_store(from_env({"TITLECERT_HOME": str(tmp_path)}))
    assert isinstance(folder, FolderStore) and folder.root == tmp_path / "archive"

    configured = from_env(
        {
            "TITLECERT_HOME": str(tmp_path),
            "TITLECERT_STORE_URL": "s3://titlecert-archive/cq/instance-a/",
            "TITLECERT_S3_ENDPOINT_URL": "http://127.0.0.1:9/",  # nothing answers: nothing is asked
            "TITLECERT_S3_REGION": "cn-north-1",
        }
    )
    s3 = open_store(configured)
    assert isinstance(s3, S3Store)
    assert s3.location == S3Location(
        "titlecert-archive", "cq/instance-a/", "http://127.0.0.1:9", "cn-north-1", "path"
    )
    assert str(s3) == "s3://titlecert-archive/cq/instance-a/ at http://127.0.0.1:9"


def test_the_store_url_and_the_s3_settings() -> None:
    assert store_location({}) is None
    assert store_location({"TITLECERT_STORE_URL": "s3://archive-1"}) == S3Location("archive-1")
    virtual = store_location(
        {
            "TITLECERT_STORE_URL": "s3://archive.example-1/a/b",
            "TITLECERT_S3_ENDPOINT_URL": "https://oss.example.test",
            "TITLECERT_S3_ADDRESSING_STYLE": "virtual",
        }
    )
    assert virtual == S3Location("archive.example-1", "a/b/", "https://oss.example.test", None, "virtual")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TITLECERT_STORE_URL": "/srv/archive"},
            r"TITLECERT_STORE_URL must be s3://BUCKET or s3://BUCKET/PREFIX",
        ),
        ({"TITLECERT_STORE_URL": "s3://archive:9000/x"}, "must be s3://BUCKET"),
        ({"TITLECERT_STORE_URL": "s3://Archive_1"}, "names the bucket 'Archive_1': a bucket name is 3-63"),
        ({"TITLECERT_STORE_URL": "s3://archive-1/a/../b"}, "prefix 'a/../b' must not have"),
        (
            {"TITLECERT_STORE_URL": "s3://archive-1", "TITLECERT_S3_ENDPOINT_URL": "127.0.0.1:9000"},
            r"TITLECERT_S3_ENDPOINT_URL must be http\(s\)://HOST\[:PORT\]",
        ),
        (
            {"TITLECERT_STORE_URL": "s3://archive-1", "TITLECERT_S3_ADDRESSING_STYLE": "dns"},
            "TITLECERT_S3_ADDRESSING_STYLE must be one of auto, path, virtual, not 'dns'",
        ),
        (
            {"TITLECERT_S3_ENDPOINT_URL": "http://127.0.0.1:9000"},
            "TITLECERT_S3_ENDPOINT_URL set, but TITLECERT_STORE_URL is not",
        ),
    ],
)
def test_store_settings_that_cannot_work_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_env(env)


def stubbed() -> tuple[S3Store, Stubber]:
    store = S3Store(
        S3Location("archive-1", "a/", "http://127.0.0.1:9", addressing_style="path"), session=session()
    )
    return store, Stubber(store._client)


@pytest.mark.parametrize(
    ("code", "status", "error", "message"),
    [
        (
            "InvalidAccessKeyId",
            403,
            StoreError,
            r"access refused \(InvalidAccessKeyId\); check the credentials",
        ),
        ("SignatureDoesNotMatch", 403, StoreError, r"access refused \(SignatureDoesNotMatch\)"),
        ("PermanentRedirect", 301, StoreError, "the bucket is in another region .*set TITLECERT_S3_REGION"),
        (
            "BadDigest",
            400,
            StoreIntegrityError,
            "refused the bytes as damaged on the way .*nothing was stored",
        ),
        ("SlowDown", 503, StoreError, r"the server answered SlowDown \(try later\)"),
    ],
)
def test_s3_failures_name_the_object_and_what_to_check(
    code: str, status: int, error: type[StoreError], message: str
) -> None:
    store, stubber = stubbed()
    stubber.add_client_error("put_object", code, "try later", status)
    with (
        stubber,
        pytest.raises(
            error, match=r"cannot store the object 'a/A\.pdf' in the bucket 'archive-1' .*" + message
        ),
    ):
        store.put("A.pdf", b"%PDF-1.7")


def test_a_refused_head_is_not_taken_for_a_missing_object() -> None:
    store, stubber = stubbed()
    stubber.add_client_error("head_object", "403", "", 403)
    with stubber, pytest.raises(StoreError, match=r"cannot look up the object 'a/A\.pdf' .*access refused"):
        store.exists("A.pdf")


def test_an_unreachable_endpoint_is_named_after_a_few_quick_attempts() -> None:
    location = S3Location(
        "archive-1", "", "http://127.0.0.1:9", addressing_style="path"
    )  # discard port: refused
    store = S3Store(location, session=session())
    with pytest.raises(
        StoreError, match=r"the endpoint did not answer after 3 attempts .*check TITLECERT_S3_ENDPOINT_URL"
    ):
        store.get("A.pdf")


def test_no_credentials_says_where_they_come_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    store = S3Store(S3Location("archive-1", "", "http://127.0.0.1:9", "us-east-1", "path"))
    with pytest.raises(
        StoreError, match="no S3 credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    ):
        store.put("A.pdf", b"%PDF-1.7")


def test_a_region_boto3_refuses_is_a_store_error() -> None:
    with pytest.raises(
        StoreError, match="cannot set up the S3 client for s3://archive-1/: .*TITLECERT_S3_REGION"
    ):
        S3Store(S3Location("archive-1", region="not a region/"), session=session())
