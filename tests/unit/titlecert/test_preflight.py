"""Rendering in preflight: a document that cannot be made names the applicant (and the photo when
it is the photo), never a stand-in number or a library's exception."""

import datetime as dt
import json
import shutil
from pathlib import Path

from docgen.load import load_session
from docgen.models import LoadedSession
from docgen.outcomes import awarded
from docgen.workdays import WorkCalendar
from tests.conftest import SAMPLE_SESSION
from titlecert.preflight import render_problems
from titlecert.settings import from_env


def test_every_kind_renders_for_the_sample(tmp_path: Path) -> None:
    settings = from_env({"TITLECERT_HOME": str(tmp_path)})
    loaded = load_session(SAMPLE_SESSION)
    assert render_problems(loaded, settings, WorkCalendar(), today=dt.date(2026, 3, 2)) == []


def test_a_photo_the_template_cannot_embed_names_the_applicant_and_the_photo(tmp_path: Path) -> None:
    # Past the session check (a photo replaced after it ran), as a unit's rendering meets it mid-run:
    # whose and which. (Preflight renders one certificate, the first; the session check reads all.)
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos")
    path = Path(shutil.copy(SAMPLE_SESSION, tmp_path / "session.json"))
    loaded = load_session(path)
    row = next(i for i, a in enumerate(loaded.session.applicants) if awarded(loaded.session, a))
    applicant = json.loads(path.read_text(encoding="utf-8"))["applicants"][row]
    photo = applicant["photo"]
    (tmp_path / photo).write_bytes(b"not a picture")
    settings = from_env({"TITLECERT_HOME": str(tmp_path)})
    found = render_problems(
        LoadedSession(source=path, session=loaded.session),
        settings,
        WorkCalendar(),
        today=dt.date(2026, 3, 2),
    )
    assert found == [
        f"{path}: applicants row {row + 1} ({applicant['name']}), photo: {photo}: "
        "not an image (not a JPEG or PNG file): save the photo as JPEG or PNG"
    ]
