"""The holder's files on the shared instance: the certificate downloaded from the holder's page is
the archived PDF as issued, byte for byte."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import GENEROUS_LIMITS, Instance, Issued
from titlecert.app import create_app
from titlecert.settings import from_env


@pytest.fixture(scope="module")
def client(instance: Instance, issued: Issued) -> Iterator[FlaskClient]:
    app = create_app(from_env({**instance.env, **GENEROUS_LIMITS}))
    yield app.test_client()


def test_the_holder_downloads_the_certificate_as_issued(client: FlaskClient, issued: Issued) -> None:
    document = issued.documents[-1]  # the last: other tests' holder pages are the first ones
    secret = str(document["holder_url"]).rsplit("/", 1)[1]
    page = client.get(f"/h/{secret}")
    assert page.status_code == 200 and f'href="/h/{secret}/certificate.pdf"' in page.text
    r = client.get(f"/h/{secret}/certificate.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data == Path(document["path"]).read_bytes()
    assert f'filename="{document["certificate_no"]}.pdf"' in r.headers["Content-Disposition"]
