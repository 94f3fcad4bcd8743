"""What issuing records for the clerk pages: the form's unit and reporting chain, each printed copy,
and the boxes of the form that are stamped by hand, with the page each is printed on."""

import datetime as dt

from docgen.anchors import find_captions
from docgen.context import CHAIN_LEVELS, Copy, copy_label
from docgen.models import Applicant
from registry.ledger import Ledger
from registry.models import DocumentRecord
from registry.paper import PaperCopy, ReviewFormRecord, StampBox

SUPERIOR_LEVELS = ("单位主管部门", "人事代理机构", "单位驻重庆最高管理机构")
"""Levels the session's `superior` names; the district (职改) departments are not named in it."""


def expected_body(applicant: Applicant, level: str) -> str:
    """The body a box's level stands for in this applicant's chain, when the session names it."""
    if level == "所在单位":
        return applicant.employer_name
    if level in SUPERIOR_LEVELS:
        return applicant.superior.name
    return ""


def stamp_boxes(pdf: bytes, applicant: Applicant) -> list[tuple[str, str, int]]:
    """(level, expected body, 1-based page) of each opinion box of the chain, in the form's order.
    A caption the PDF does not print (an edited template) counts as on the last page found."""
    levels = CHAIN_LEVELS[applicant.reporting_chain]
    anchors = find_captions(pdf, [f"{level}意见" for level in levels])
    boxes, last = [], 1
    for level in levels:
        anchor = anchors.get(f"{level}意见")
        last = anchor.page + 1 if anchor else last
        boxes.append((level, expected_body(applicant, level), last))
    return boxes


def record_form(
    ledger: Ledger,
    form_no: str,
    a: Applicant,
    *,
    certificate_no: str,
    approval_no: str,
    confirmed_on: dt.date,
    pdf: bytes,
    now: dt.datetime,
) -> None:
    """Record the form (once: the first copy's PDF gives the boxes' pages)."""
    if ledger.paper.form(form_no) is not None:
        return
    boxes = [
        StampBox(form_no=form_no, position=position, level=level, body=body, page=page)
        for position, (level, body, page) in enumerate(stamp_boxes(pdf, a), start=1)
    ]
    ledger.paper.add_form(
        ReviewFormRecord(
            form_no=form_no,
            certificate_no=certificate_no,
            holder_name=a.name,
            unit_name=a.employer_name,
            unit_code=a.employer.credit_code if a.employer else "",  # a freelancer's: no unit's clerk
            superior_name=a.superior.name,
            chain=a.reporting_chain.value,
            session_ref=approval_no,
            confirmed_on=confirmed_on,
            created_at=now,
        ),
        boxes,
    )


def record_copy(ledger: Ledger, document: DocumentRecord, now: dt.datetime) -> None:
    """Record the first printed copy a registered review-form document is."""
    copy = Copy(document.copy or "")
    ledger.paper.add_copy(
        PaperCopy(
            form_no=document.number,
            copy=copy.value,
            label=copy_label(copy, 1),
            document_id=document.id,
            pages=document.pages,
            created_at=now,
        )
    )
