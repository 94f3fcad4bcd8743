"""Finishing converted documents: check, page codes on review forms, the e-seals.

`finish` is pure work on bytes, so it runs in a process pool: each sealing process loads the keys,
the seal font and the network clients (timestamper, validation fetchers) once, in `init_process`,
and keeps them for every document it seals (`process_sealing`). A Celery worker process would do
the same through `process_sealing`.
"""

import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyhanko.sign.timestamps import TimeStamper

from docgen.anchors import seal_boxes
from docgen.context import COPY_LETTERS
from docgen.convert import check_pdf
from docgen.models import CertificateData
from docgen.pagecodes import page_code, stamp_page_codes
from signing.batch import BatchTimeStamper, BatchValidation, SignatureSizes, tls_context
from signing.fonts import find_seal_font
from signing.keys import SealKey
from signing.pades import LongTerm, seal_pdf
from signing.profiles import SIGNING_ORDER, SealPlacement
from signing.roles import ISSUING_ROLES, Role
from titlecert.documents import Job, type_of
from titlecert.errors import ApplicationError
from titlecert.home import load_keys, load_trust
from titlecert.kinds import Filing
from titlecert.settings import Settings


@dataclass(frozen=True)
class Sealing:
    """Everything sealing needs, built once per process."""

    keys: dict[Role, SealKey]
    font: Path
    timestamper: TimeStamper | None
    long_term: LongTerm | None
    sizes: SignatureSizes = field(default_factory=SignatureSizes)
    """Each key's signature size, measured on its first seal in this process."""


def batch_sealing(
    settings: Settings, *, roles: Sequence[Role] = ISSUING_ROLES, level: str | None = None
) -> Sealing:
    """What sealing needs with the keys of `roles` at PAdES `level` (default: the configured one).
    Raises the signing package's errors (a key that does not load, trust settings missing).

    The documents a process seals share one timestamper (pyHanko caches its size-estimation token
    per instance), one TLS context and, for B-LT and B-LTA, the validation contexts' fetchers, so
    each certificate's OCSP answer is fetched once per process rather than for every seal
    (docs/performance.md).
    """
    level = level or settings.signature_level
    timestamper, long_term = None, None
    if level != "B-B":
        tls = tls_context()
        timestamper = BatchTimeStamper(settings.tsa_url, tls)
        if level in ("B-LT", "B-LTA"):
            anchors = load_trust(settings).anchors
            long_term = LongTerm(
                anchors, archive=level == "B-LTA", validation_contexts=BatchValidation(anchors, tls)
            )
    return Sealing(load_keys(settings, roles), find_seal_font(settings.seal_font), timestamper, long_term)


@dataclass(frozen=True)
class FinishSpec:
    """What finishing one converted document needs besides its bytes (small and picklable)."""

    name: str
    """The document's path in the output folder: errors name it."""
    pages: tuple[int, int]
    seal_captions: tuple[tuple[str, str], ...] = ()
    """Role -> caption of each e-seal; empty for documents that are not sealed."""
    form_no: str | None = None
    """A review form's number: each page gets its code."""
    copy_letter: str | None = None
    public_url: str = ""
    seal_dates: tuple[tuple[str, str], ...] = ()
    """Role -> the date (ISO) its seal's appearance prints: the one the document prints beside it."""

    @classmethod
    def of(cls, job: Job, public_url: str) -> "FinishSpec":
        kind = type_of(job.kind)
        printed = kind.filing is Filing.PRINTED and job.award is not None and job.copy is not None
        return cls(
            job.out_name,
            job.pages,
            tuple((job.seal_captions or {}).items()),
            kind.number(job.award) if printed and job.award else None,
            COPY_LETTERS[job.copy] if printed and job.copy else None,
            public_url,
            tuple(seal_dates(job.award.certificate).items()) if job.award and job.seal_captions else (),
        )


def seal_dates(certificate: CertificateData) -> dict[str, str]:
    """The date under each seal of an award's documents, as the certificate and the review form's
    result page print it beside the seal's caption: the committee's on the day it passed the
    candidate (取得时间), the authority's on the confirmation's (发证时间). Never the day of sealing,
    which a re-issue or a late batch would put beside another date."""
    return {
        Role.COMMITTEE.value: certificate.passed_on.isoformat(),
        Role.AUTHORITY.value: certificate.issued_on.isoformat(),
    }


class FinishError(ApplicationError):
    """A document could not be checked or sealed; the message names it."""


def finish(spec: FinishSpec, pdf: bytes, sealing: Sealing | None) -> tuple[bytes, int]:
    """Check a converted PDF, stamp page codes on a review form, seal what is sealed. Returns the
    final PDF and its page count. Raises FinishError naming the document."""
    try:
        pages = check_pdf(spec.name, pdf, pages=spec.pages)
        if spec.form_no is not None and spec.copy_letter is not None:
            form_no, letter, base = spec.form_no, spec.copy_letter, spec.public_url
            pdf, _ = stamp_page_codes(
                pdf,
                code_for_page=lambda page: page_code(form_no, letter, page),
                url_for=lambda code: f"{base}/p/{code}",
            )
        if spec.seal_captions:
            if sealing is None:
                raise FinishError(f"{spec.name}: no sealing keys in this process")
            boxes = seal_boxes(pdf, dict(spec.seal_captions))
            dates = dict(spec.seal_dates)
            placements = [
                SealPlacement(Role(role), page, box, dates.get(role, ""))
                for role, (page, box) in boxes.items()
            ]
            # The roles with a caption, in signing order: both, or the committee's alone (COMMITTEE_SEALS).
            order = tuple(role for role in SIGNING_ORDER if role.value in boxes)
            pdf = seal_pdf(
                pdf,
                placements=placements,
                keys=sealing.keys,
                font_path=sealing.font,
                timestamper=sealing.timestamper,
                long_term=sealing.long_term,
                order=order,
                sizes=sealing.sizes,
            )
    except FinishError:
        raise
    except Exception as e:  # any failure of one document fails its unit, named
        message = str(e) if str(e).startswith(spec.name) else f"{spec.name}: {e}"
        raise FinishError(message) from None
    return pdf, pages


_PROCESS: Sealing | FinishError | None = None


def init_process(settings: Settings, log_levels: Mapping[str, int]) -> None:
    """Initializer of a pool's sealing process: exit with the parent, log as the parent does, load
    the keys, font and network clients once. A failure to load is kept and raised by each
    `finish_in_process` call, so the units say why."""
    _exit_with_parent()
    logging.basicConfig(
        level=log_levels.get("", logging.WARNING), format="%(levelname)s %(name)s: %(message)s"
    )
    for name, level in log_levels.items():
        logging.getLogger(name).setLevel(level)
    _load(settings)


def _load(settings: Settings) -> None:
    global _PROCESS
    try:
        _PROCESS = batch_sealing(settings)
    except Exception as e:  # raised again, with its message, for every document
        _PROCESS = FinishError(f"the sealing process could not load its keys: {e}")


def _exit_with_parent() -> None:
    """A pool process outlives a parent killed with SIGKILL (it holds its own end of the task
    queue): watch for the parent's death and exit then."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def process_sealing(settings: Settings) -> Sealing:
    """This process's sealing material, built on first use. Raises FinishError when it cannot be."""
    if _PROCESS is None:
        _load(settings)
    if isinstance(_PROCESS, FinishError):
        raise _PROCESS
    assert _PROCESS is not None  # noqa: S101 - set just above
    return _PROCESS


def finish_in_process(
    settings: Settings, specs: Sequence[FinishSpec], pdfs: Sequence[bytes]
) -> list[tuple[bytes, int]]:
    """`finish` every document of a unit with this process's sealing material (the process pool's
    task). Raises FinishError naming the first document that failed."""
    sealing = process_sealing(settings) if any(s.seal_captions for s in specs) else None
    return [finish(spec, pdf, sealing) for spec, pdf in zip(specs, pdfs, strict=True)]


LOGGERS = ("", "pyhanko", "pyhanko_certvalidator", "fontTools")
"""Loggers whose levels a sealing process takes from its parent."""
