"""Templates survive real data: the longest values, 40 achievements, rare characters, markup."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from docgen.context import Copy, publicity_context, results_context, review_form_context
from docgen.convert import check_pdf, convert_to_pdf
from docgen.errors import InputError
from docgen.load import load_session
from docgen.render import render_docx
from docgen.workdays import WorkCalendar
from templates import FONTS_CONF, TEMPLATES_DIR
from tests.conftest import TITLECERT, sample_session_doc
from titlecert.documents import template_of
from titlecert.kinds import DocumentKind

PUBLICITY_TABLE_DOCX = template_of(DocumentKind.PUBLICITY_TABLE)
RESULTS_LIST_DOCX = template_of(DocumentKind.RESULTS_LIST)
REVIEW_FORM_DOCX = template_of(DocumentKind.REVIEW_FORM)

LONG_EMPLOYER = (
    "重庆两江新区数字经济产业园管理委员会下属重庆市大数据智能化产业技术研究院（有限责任公司）第二分院"
)
NAME = "阿依古丽·买买提𠀀䶮"
MARKUP = "A<B & {{ 7*7 }} {% if 1 %}x{% endif %} 公司"


def extreme_session(tmp_path: Path) -> Path:
    doc = sample_session_doc()
    a = doc["applicants"][1]
    a["name"] = NAME
    a["employer"]["name"] = LONG_EMPLOYER
    a["work_history"][0]["employer"] = LONG_EMPLOYER
    a["superior"]["name"] = MARKUP + "\x07\x0c"
    categories = [
        "work_result",
        "research_project",
        "paper",
        "book",
        "technical_report",
        "award",
        "patent",
        "software_copyright",
        "standard",
    ]
    a["achievements"] = [
        {
            "category": categories[k % 9],
            "title": f"第{k + 1}项：面向超大城市治理的多源异构数据融合与智能决策支持关键技术研究与应用示范",
            "date": "2023-05-01",
            "role": "项目负责人（排名第1/15）",
            "detail": "省部级，已验收",
        }
        for k in range(40)
    ]
    path = tmp_path / "extreme.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("extreme")
    loaded = load_session(extreme_session(tmp), fonts_conf=FONTS_CONF)
    s, a, cal = loaded.session, loaded.session.applicants[1], WorkCalendar()
    docs = [
        ("publicity", render_docx(PUBLICITY_TABLE_DOCX, publicity_context(s, a, cal))),
        ("results", render_docx(RESULTS_LIST_DOCX, results_context(s, cal))),
        (
            "form",
            render_docx(
                REVIEW_FORM_DOCX,
                review_form_context(s, a, form_no="PS2026000009", copy=Copy.UNIT_ARCHIVE),
            ),
        ),
    ]
    return convert_to_pdf(docs, profile_dir=tmp / "profile", fonts_conf=FONTS_CONF)


def flat(pdf: bytes) -> str:
    import io

    return (
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    )


def test_page_counts_stay_within_bounds(rendered: dict[str, bytes]) -> None:
    assert 1 <= check_pdf("publicity", rendered["publicity"], pages=(1, 6)) <= 6
    assert check_pdf("results", rendered["results"], pages=(1, 3)) == 1
    assert 5 <= check_pdf("form", rendered["form"], pages=(4, 40)) <= 20


def printed(name: str, text: str) -> bool:
    # The two rare characters come from two fonts (Noto, HanaMin); pypdf may extract such runs out of
    # visual order, so the name is checked as its base plus each rare character.
    return "阿依古丽·买买提" in text and "𠀀" in text and "䶮" in text


def test_long_values_and_rare_characters_are_printed_whole(rendered: dict[str, bytes]) -> None:
    for key in ("publicity", "form"):
        text = flat(rendered[key])
        assert printed(NAME, text) and LONG_EMPLOYER in text, key
        for k in (1, 17, 40):
            assert (
                f"第{k}项：面向超大城市治理的多源异构数据融合与智能决策支持关键技术研究与应用示范" in text
            ), (key, k)
    assert printed(NAME, flat(rendered["results"])) and LONG_EMPLOYER in flat(rendered["results"])


def test_user_text_is_never_template_code(rendered: dict[str, bytes]) -> None:
    text = flat(rendered["publicity"])
    assert MARKUP.replace(" ", "") in text  # printed literally: not evaluated, not swallowed as XML
    assert "49" not in text.split("A<B")[1][:20]


def test_a_character_no_font_covers_is_refused_before_issuing(tmp_path: Path) -> None:
    doc = sample_session_doc()
    doc["applicants"][2]["name"] = "薛\U00031350"  # CJK Extension H: in no installed font
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_session(path, fonts_conf=FONTS_CONF)
    assert caught.value.problems == [
        f"{path}: applicants row 3 (薛\U00031350), name: no installed font can print '\U00031350' (U+31350): it would "
        "vanish from the documents; install a font that covers it (see templates/fonts.conf)"
    ]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TITLECERT), *args], capture_output=True, text=True, check=False)


def test_templates_check_catches_a_clerks_broken_edit(tmp_path: Path) -> None:
    ok = run("templates", "check")
    # Every bundled template: the seven documents' (the draft notice and result letter too) and the
    # verification receipt's.
    assert ok.returncode == 0 and ok.stdout.count("ok ") == len(list(TEMPLATES_DIR.glob("*.docx"))) == 8
    edited = tmp_path / PUBLICITY_TABLE_DOCX.name
    shutil.copy(PUBLICITY_TABLE_DOCX, edited)
    doc = Document(str(edited))
    for table in doc.tables[:1]:  # the applicant's record, the one place printing the employer
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    for r in p.runs:
                        r.text = r.text.replace("{{ employer }}", "{{ employer_name }}")
    doc.save(str(edited))
    broken = run("templates", "check", "--template", str(edited))
    assert broken.returncode == 1
    assert "BROKEN publicity-table.docx" in broken.stdout
    assert "uses {{ employer_name }}, which the data does not provide" in broken.stdout
    assert "does not use employer, which the data provides" in broken.stdout
