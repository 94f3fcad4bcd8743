"""An OCSP responder answering on demand dates its answer by its own clock, after the moment the
seal's validation context opened: a clock a little ahead (or a loaded machine) must not fail the
seal as "too recent"."""

import datetime as dt
import io
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from signing.batch import BatchTimeStamper, BatchValidation
from signing.fonts import find_seal_font
from signing.pades import LongTerm, seal_pdf
from signing.services import PkiServices
from signing.trust import load_certificates
from tests.conftest import free_port
from tests.integration.test_flatten import with_text_field
from tests.integration.test_services_down import PLACEMENTS, demo_keys


class AheadServices(PkiServices):
    """The DEMO services with a clock 30 s ahead of this machine's (OCSP answers and CRLs alike:
    either would do for the seal)."""

    def ocsp(self, request_der: bytes, *, now: dt.datetime | None = None) -> bytes:
        return super().ocsp(request_der, now=_ahead())

    def crl(self, *, now: dt.datetime | None = None) -> bytes:
        return super().crl(now=_ahead())


def _ahead() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)


def test_a_seal_takes_an_ocsp_answer_dated_by_a_clock_slightly_ahead(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    keys, root = demo_keys(tmp_path, url)
    anchors = load_certificates(root.read_bytes())
    with AheadServices(tmp_path / "pki", services_url=url).running("127.0.0.1", port):
        sealed = seal_pdf(
            with_text_field("x"),
            placements=PLACEMENTS,
            keys=keys,
            font_path=find_seal_font(None),
            timestamper=BatchTimeStamper(f"{url}/tsa"),
            long_term=LongTerm(anchors, validation_contexts=BatchValidation(anchors)),
        )
    reader = PdfFileReader(io.BytesIO(sealed))
    assert [s.sig_object_type for s in reader.embedded_signatures][:2] == ["/Sig", "/Sig"]
    assert "/DSS" in reader.root  # the answers were embedded (B-LT)
