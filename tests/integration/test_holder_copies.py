"""The holder's files on the shared instance: the certificate downloaded from the holder's page is
the PDF as issued, byte for byte. The certificate is issued here, in a session of its own, so that
no other test on the shared instance has reissued or renewed it."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import GENEROUS_LIMITS, Instance, as_another_session, sample_session_doc
from titlecert.app import create_app
from titlecert.settings import from_env


@pytest.fixture(scope="module")
def client(instance: Instance) -> Iterator[FlaskClient]:
    app = create_app(from_env({**instance.env, **GENEROUS_LIMITS}))
    yield app.test_client()


def issue_one(instance: Instance, tmp_path: Path) -> dict[str, str]:
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    as_another_session(doc, "渝职改办〔2026〕487号")
    session = tmp_path / "session.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = json.loads(instance.run("issue", str(session), "--out", str(tmp_path / "out"), "--json").stdout)
    return next(d for d in result["documents"] if d["kind"] == "certificate")


def test_the_holder_downloads_the_certificate_as_issued(
    client: FlaskClient, instance: Instance, tmp_path: Path
) -> None:
    document = issue_one(instance, tmp_path)
    secret = str(document["holder_url"]).rsplit("/", 1)[1]
    page = client.get(f"/h/{secret}")
    assert page.status_code == 200 and f'href="/h/{secret}/certificate.pdf"' in page.text
    r = client.get(f"/h/{secret}/certificate.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data == Path(document["path"]).read_bytes()
    assert f'filename="{document["certificate_no"]}.pdf"' in r.headers["Content-Disposition"]
