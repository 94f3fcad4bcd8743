"""The document-type table: every template has its entry, and planning reads it."""

import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from docgen.anchors import CERTIFICATE_SEAL_CAPTIONS, COMMITTEE_SEAL_CAPTIONS, REVIEW_FORM_SEAL_CAPTIONS
from docgen.load import load_session
from docgen.workdays import WorkCalendar
from templates import TEMPLATES_DIR
from tests.conftest import sample_session_doc
from titlecert import receipts
from titlecert.documents import DOCUMENT_TYPES, SESSION_KINDS, Award, plan_jobs, session_units, unit_job
from titlecert.kinds import DocumentKind, Filing, Scope
from titlecert.templatecheck import check_templates

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "session.json"


def test_every_template_is_one_document_type_and_every_kind_has_its_entry() -> None:
    templates = sorted(p.name for p in TEMPLATES_DIR.glob("*.docx"))
    # The receipt's is the one template of no issued document (titlecert.receipts).
    assert sorted([*(t.template.name for t in DOCUMENT_TYPES.values()), receipts.TEMPLATE.name]) == templates
    assert list(DOCUMENT_TYPES) == list(DocumentKind)
    assert all(kind is t.kind for kind, t in DOCUMENT_TYPES.items())


def test_an_awards_documents_carry_both_e_seals_and_the_committees_own_its_alone() -> None:
    sealed = {kind: t.seal_captions for kind, t in DOCUMENT_TYPES.items() if t.seal_captions is not None}
    assert sealed == {
        DocumentKind.CERTIFICATE: CERTIFICATE_SEAL_CAPTIONS,
        DocumentKind.REVIEW_FORM: REVIEW_FORM_SEAL_CAPTIONS,
        DocumentKind.DRAFT_NOTICE: COMMITTEE_SEAL_CAPTIONS,
        DocumentKind.RESULT_LETTER: COMMITTEE_SEAL_CAPTIONS,
    }
    assert list(COMMITTEE_SEAL_CAPTIONS) == ["committee"]  # no authority approves them
    for kind in sealed:
        t = DOCUMENT_TYPES[kind]
        assert (t.scope is Scope.AWARD) is (t.filing is not Filing.SEALED), kind
    assert len(DOCUMENT_TYPES[DocumentKind.REVIEW_FORM].copies) == 2


def test_session_documents_are_planned_from_the_table() -> None:
    calendar = WorkCalendar()
    loaded = load_session(SAMPLE, calendar)
    assert SESSION_KINDS == (DocumentKind.RESULTS_LIST, DocumentKind.REVIEW_REPORT, DocumentKind.DRAFT_NOTICE)
    jobs = plan_jobs(loaded, [], calendar, session_documents=True, today=loaded.session.approval.date)
    applicants = loaded.session.applicants
    # the sample delegates no review: no result letter
    assert [j.kind for j in jobs] == [DocumentKind.PUBLICITY_TABLE] * len(applicants) + list(SESSION_KINDS)
    notice = unit_job(loaded, "draft-notice", calendar)
    assert (notice.out_name, notice.seal_captions) == ("draft-notice.pdf", COMMITTEE_SEAL_CAPTIONS)
    first = unit_job(loaded, DocumentKind.PUBLICITY_TABLE, calendar, 0)
    assert first.out_name.startswith("publicity-tables/0001-") and first.must_contain == (applicants[0].name,)
    assert first.seal_captions is None and first.pages == (1, 6)
    report = unit_job(loaded, "review-report", calendar)
    assert (report.out_name, report.must_contain) == ("review-report.pdf", (loaded.session.committee.name,))
    with pytest.raises(ValueError, match="no session document of kind 'certificate'"):
        unit_job(loaded, "certificate", calendar)
    with pytest.raises(ValueError, match="give the row"):
        unit_job(loaded, "publicity-table", calendar)


def test_templates_check_checks_every_document_type_and_the_receipt() -> None:
    reports = check_templates(SAMPLE)
    assert [r.template for r in reports] == [
        *(t.template for t in DOCUMENT_TYPES.values()),
        receipts.TEMPLATE,
    ]
    assert all(r.ok for r in reports)
    assert not reports[-1].unused  # the receipt prints every part of its statement


def test_result_letters_are_planned_one_per_entrusting_unit_under_its_first_row(tmp_path: Path) -> None:
    doc = sample_session_doc()
    for row, unit in ((0, "甲集团"), (2, "乙集团"), (4, "甲集团")):
        a = doc["applicants"][row]
        a["reporting_chain"] = "central_or_external"
        a["delegation"] = {"unit": unit, "letter_no": f"人函〔2025〕{row}号", "letter_date": "2025-09-01"}
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    calendar = WorkCalendar()
    loaded = load_session(path, calendar)
    units = session_units(loaded)
    assert units[-2:] == [(DocumentKind.RESULT_LETTER, 0), (DocumentKind.RESULT_LETTER, 2)]
    letter = unit_job(loaded, "result-letter", calendar, 0)
    assert letter.out_name == "result-letters/0001-甲集团.pdf" and letter.must_contain == ("甲集团",)
    assert [p["name"] for p in letter.context["people"]] == [doc["applicants"][i]["name"] for i in (0, 4)]
    with pytest.raises(ValueError, match="give the row"):
        unit_job(loaded, "result-letter", calendar)


def test_an_awards_documents_are_registered_and_the_session_documents_only_archived() -> None:
    for kind, t in DOCUMENT_TYPES.items():
        registered = t.filing not in (Filing.SESSION, Filing.SEALED)  # sealed ones: rows of no award
        assert registered is (t.scope is Scope.AWARD), kind
        assert (t.filing is Filing.PRINTED) is (t.copies != (None,)), kind  # printed copies, page-coded
    assert DOCUMENT_TYPES[DocumentKind.CERTIFICATE].filing is Filing.CERTIFICATE


def test_archive_keys_come_from_the_table_and_never_collide() -> None:
    numbers = SimpleNamespace(
        certificate=SimpleNamespace(certificate_no="CQZC2026000001"), form_no="PS2026000001"
    )
    award = cast(Award, numbers)
    keys = [
        t.archive_key(award, copy.value if copy else None)
        for t in DOCUMENT_TYPES.values()
        if t.scope is Scope.AWARD
        for copy in t.copies
    ]
    assert keys == [
        "certificates/CQZC2026000001.pdf",
        "review-forms/PS2026000001-personnel-file.pdf",
        "review-forms/PS2026000001-unit-archive.pdf",
    ]


@pytest.mark.parametrize("kind", [DocumentKind.DRAFT_NOTICE, DocumentKind.RESULT_LETTER])
def test_the_committees_letters_are_a4_black_and_white_with_one_seal_caption(kind: DocumentKind) -> None:
    template = DOCUMENT_TYPES[kind].template
    xml = zipfile.ZipFile(template).read("word/document.xml").decode()
    fills = set(re.findall(r'w:fill="([0-9A-Fa-f]{6}|auto)"', xml)) - {"auto", "FFFFFF"}
    colours = set(re.findall(r'w:color w:val="([0-9A-Fa-f]{6}|auto)"', xml)) - {"auto", "000000"}
    assert fills == set() and colours == set()
    assert 'w:w="11906"' in xml and 'w:h="16838"' in xml  # A4 portrait, in twips
    assert xml.count(COMMITTEE_SEAL_CAPTIONS["committee"]) == 1
