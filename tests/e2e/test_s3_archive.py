"""An instance whose document store is a bucket (moto's server mode): `init` checks the bucket,
`issue` stores the sealed copies there and nowhere in the home, the stored copy verifies,
`archive retimestamp` renews it in the bucket, and a copy changed behind titlecert's back is refused
with a message, not a traceback."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Instance, make_instance, sample_session_doc, serve_pki
from tests.s3server import CREDENTIALS, moto_server, session

BUCKET = "titlecert-e2e"
PREFIX = "instance-a/"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


def stored(endpoint: str, key: str) -> tuple[bytes, dict[str, str]]:
    """An object's bytes and metadata, read behind the store's back."""
    answer = session().client("s3", endpoint_url=endpoint).get_object(Bucket=BUCKET, Key=PREFIX + key)
    return answer["Body"].read(), answer["Metadata"]


def verify(inst: Instance, pdf: bytes, path: Path) -> dict[str, object]:
    path.write_bytes(pdf)
    [report] = json.loads(inst.run("verify", "--json", str(path)).stdout)
    assert isinstance(report, dict)
    return report


def test_issue_verify_and_retimestamp_with_the_store_on_s3(endpoint: str, tmp_path: Path) -> None:
    inst = make_instance(
        tmp_path / "home",
        TITLECERT_STORE_URL=f"s3://{BUCKET}/{PREFIX}",
        TITLECERT_S3_ENDPOINT_URL=endpoint,
        **CREDENTIALS,
    )
    missing = inst.run("init", check=False)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert (
        f"error: the bucket '{BUCKET}' does not exist at {endpoint}; create it, or correct the bucket in "
        "TITLECERT_STORE_URL" in missing.stderr
    )
    session().client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    assert f"store    s3://{BUCKET}/{PREFIX} at {endpoint}" in inst.run("init").stdout

    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]  # one who passed: a certificate and two review forms
    session_file = tmp_path / "one.json"
    session_file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    issued = json.loads(inst.run("issue", str(session_file), "--out", str(tmp_path / "out"), "--json").stdout)
    sealed = [d for d in issued["documents"] if d["kind"] in ("certificate", "review-form")]
    assert [d["kind"] for d in sealed] == ["certificate", "review-form", "review-form"]
    assert not (inst.home / "archive").exists()  # nothing in the folder store
    for document in issued["documents"]:  # the session's documents are archived too
        assert stored(endpoint, document["storage_key"])[0] == Path(document["path"]).read_bytes()
    listed = (
        session().client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}jobs/")
    )
    assert listed["KeyCount"] == 0  # the job's staging folder went when it completed
    certificate = sealed[0]
    pdf, metadata = stored(endpoint, certificate["storage_key"])
    assert pdf == Path(certificate["path"]).read_bytes()
    assert metadata == {"sha256": certificate["sha256"]}
    report = verify(inst, pdf, tmp_path / "stored.pdf")
    assert (report["verdict"], report["status"]) == ("valid", "valid")
    assert report["document_timestamps"] == []

    with serve_pki(inst):
        out = inst.run("archive", "retimestamp").stdout
    assert (
        "4 renewed, 0 still current, 0 failed" in out
    )  # B-B copies (award and draft notice) upgraded to B-LTA in the bucket
    renewed, metadata = stored(endpoint, certificate["storage_key"])
    assert renewed.startswith(pdf) and len(renewed) > len(pdf)
    report = verify(inst, renewed, tmp_path / "renewed.pdf")
    assert (report["verdict"], report["status"]) == ("valid", "valid")  # the registry follows the copy
    assert isinstance(report["document_timestamps"], list) and len(report["document_timestamps"]) == 1

    # Bytes changed in the bucket, the metadata kept: the next run refuses them and says so.
    raw = session().client("s3", endpoint_url=endpoint)
    key = PREFIX + certificate["storage_key"]
    raw.put_object(
        Bucket=BUCKET, Key=key, Body=renewed.replace(b"%%EOF", b"%%EOF\n%forged"), Metadata=metadata
    )
    tampered = inst.run("archive", "retimestamp", check=False)
    assert tampered.returncode == 1 and "Traceback" not in tampered.stderr
    assert (
        f"error: the object '{key}' in the bucket '{BUCKET}' at {endpoint}: the stored bytes"
        in tampered.stderr
    )
    assert "changed or damaged in the bucket" in tampered.stderr


def test_a_folder_store_is_imported_into_a_bucket_once_and_checked_against_the_registry(
    endpoint: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    folder = make_instance(home, **CREDENTIALS)  # the embedded default: the folder store
    folder.run("init")
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    session_file = tmp_path / "one.json"
    session_file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    issued = json.loads(
        folder.run("issue", str(session_file), "--out", str(tmp_path / "out"), "--json").stdout
    )
    archive = home / "archive"
    keys = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*") if p.is_file())
    assert {d["storage_key"] for d in issued["documents"]} == set(keys)  # six documents, nothing else

    raw = session().client("s3", endpoint_url=endpoint)
    raw.create_bucket(Bucket="titlecert-import")
    env = {
        **folder.env,
        "TITLECERT_STORE_URL": "s3://titlecert-import/cq/",
        "TITLECERT_S3_ENDPOINT_URL": endpoint,
    }
    bucket = Instance(home, env, folder.public_url, folder.pki_url)
    assert f"{len(keys)} copied, 0 already there, 0 conflicts" in bucket.run("archive", "import").stdout
    for key in keys:
        answer = raw.get_object(Bucket="titlecert-import", Key=f"cq/{key}")
        assert answer["Body"].read() == (archive / key).read_bytes()
    certificate = next(d for d in issued["documents"] if d["kind"] == "certificate")
    kept = raw.get_object(Bucket="titlecert-import", Key=f"cq/{certificate['storage_key']}")
    assert kept["Metadata"] == {"sha256": certificate["sha256"]}  # verified on every read from now on
    assert f"0 copied, {len(keys)} already there, 0 conflicts" in bucket.run("archive", "import").stdout

    # A key the bucket holds with other bytes is named and left alone; so is a copy both lack.
    raw.put_object(Bucket="titlecert-import", Key=f"cq/{certificate['storage_key']}", Body=b"%PDF other")
    form = next(d["storage_key"] for d in issued["documents"] if d["kind"] == "review-form")
    (archive / form).unlink()
    raw.delete_object(Bucket="titlecert-import", Key=f"cq/{form}")
    again = bucket.run("archive", "import", check=False)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert f"error: {certificate['storage_key']}: the store holds other bytes under this key" in again.stderr
    assert f"error: {form}: the registry names this copy but the store does not hold it" in again.stderr
    kept = raw.get_object(Bucket="titlecert-import", Key=f"cq/{certificate['storage_key']}")
    assert kept["Body"].read() == b"%PDF other"
