"""The English catalog: complete, current with the templates, and compiled from the committed .po."""

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from verify.web.i18n import LOCALES, TRANSLATIONS, catalog_path

REPO = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages() -> set[str]:
    """Every msgid the pages use, extracted as `pybabel extract -F babel.cfg -k _l` would."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = extract_from_dir(str(REPO), method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _f, _l, message, _c, _x in found}


def po(code: str) -> Catalog:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


def test_every_page_message_has_an_english_translation() -> None:
    used = source_messages()
    assert len(used) > 50  # the extraction found the templates
    catalog = po("en")
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(used - set(translated))
    assert not missing, (
        f"not in the English catalog: {missing}; run pybabel extract -F babel.cfg -k _l "
        "-o /tmp/messages.pot . && pybabel update -i /tmp/messages.pot -d verify/web/translations, "
        "then translate"
    )
    assert not sorted(used ^ set(translated)), "the catalog has messages no page uses any more"
    assert not [m.id for m in catalog if m.id and (not m.string or m.fuzzy)], "empty or fuzzy translations"


def test_placeholders_survive_translation() -> None:
    for message in po("en"):
        if message.id:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                PLACEHOLDER.findall(str(message.string))
            ), message.id


def test_compiled_catalogs_are_those_of_the_committed_po_files() -> None:
    for code in LOCALES:
        if code == "zh":
            continue  # the source language
        mo = catalog_path(code)
        assert mo.is_file(), f"{mo} is missing: run scripts/setup.sh (pybabel compile)"
        with mo.open("rb") as f:
            compiled = {m.id: m.string for m in read_mo(f) if m.id}
        source = {m.id: m.string for m in po(code) if m.id}
        assert compiled == source, f"{mo} is older than its .po: run scripts/setup.sh (pybabel compile)"
