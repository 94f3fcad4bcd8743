"""Languages of the public pages: Chinese by default, English on request.

The templates' source language is Chinese (the msgids are the Chinese text); `translations/`
holds the English catalog as a .po file, compiled to .mo by `scripts/setup.sh` (`pybabel compile`).
A reader picks English with the page's language link (`?lang=en`, remembered in a cookie, no
script needed) or through the browser's Accept-Language. The API's JSON is not translated.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, g, request, url_for
from flask_babel import Babel, get_locale, get_translations
from flask_babel import support as babel_support

from registry.chinatime import in_china
from verify.text import Text
from verify.wording import beijing

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "zh"
LOCALES = ("zh", "en")
"""Babel locale codes of the pages; "zh" is the source language and needs no catalog."""
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
QUERY = "lang"


@dataclass(frozen=True)
class Language:
    """One entry of a page's language switch."""

    code: str
    """The Babel locale code, as in ?lang=."""
    name: str
    """The language's own name, e.g. English, 中文."""
    html_lang: str
    """The BCP 47 tag for <html lang> and hreflang."""


LANGUAGES = {
    "zh": Language("zh", "中文", "zh-CN"),
    "en": Language("en", "English", "en"),
}


def select_locale() -> str:
    """?lang= first, then the cookie an earlier ?lang= set, then Accept-Language; else Chinese."""
    asked = request.args.get(QUERY)
    if asked in LOCALES:
        return str(asked)
    remembered = request.cookies.get(COOKIE)
    if remembered in LOCALES:
        return str(remembered)
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE) or DEFAULT_LOCALE


def current_language() -> Language:
    """The language of the page being rendered."""
    return LANGUAGES.get(str(get_locale()), LANGUAGES[DEFAULT_LOCALE])


def switch_href(code: str) -> str:
    """Where the language link for `code` points: the same page for a GET (a query-only relative
    URL, so the token never appears twice in the page), the home page after a form POST."""
    if request.method == "GET":
        return f"?{QUERY}={code}"
    return url_for("verify.home", lang=code)


def _template_context() -> dict[str, object]:
    here = current_language()
    return {
        "language": here,
        "other_languages": [lang for lang in LANGUAGES.values() if lang.code != here.code],
        "switch_href": switch_href,
    }


def local_date(moment: dt.datetime) -> str:
    """The Beijing date of `moment` (dates and times on the pages are Beijing time, for readers in
    either language)."""
    return in_china(moment).strftime("%Y-%m-%d")


def local_time(moment: dt.datetime) -> str:
    """The Beijing date and time of `moment`, to the minute."""
    return in_china(moment).strftime("%Y-%m-%d %H:%M")


def say(text: Text | None) -> str:
    """A sentence of a report (verify.text.Text) in the page's language."""
    return text.in_language(current_language().code) if text else "—"


def beijing_time(moment: str | dt.datetime | None) -> str:
    """A moment to the second in Beijing time with the zone written, in the page's language."""
    return say(beijing(moment))


def _remember_choice(response: Response) -> Response:
    """A valid ?lang= is kept in a cookie; every response varies by the language inputs."""
    asked = request.args.get(QUERY)
    if asked in LOCALES:
        response.set_cookie(
            COOKIE,
            str(asked),
            max_age=COOKIE_MAX_AGE,
            path="/",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def _catalog() -> babel_support.NullTranslations:
    """The request's catalog, found once: flask_babel finds it again for every string (its
    context, domain and locale), a tenth of a page's time."""
    found: babel_support.NullTranslations | None = g.get("_titlecert_catalog")
    if found is None:
        found = g._titlecert_catalog = get_translations()
    return found


def catalog_path(code: str) -> Path:
    """The compiled catalog of `code`."""
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo"


def init_app(app: Flask) -> None:
    """Give `app` the page languages: the locale selector, the template helpers and the cookie."""
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
        gettext=lambda s: _catalog().ugettext(s),
        ngettext=lambda s, p, n: _catalog().ungettext(s, p, n),
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.context_processor(_template_context)
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(say, "say")
    app.add_template_filter(beijing_time, "beijing")
    app.after_request(_remember_choice)
    for code in LOCALES:
        if code != DEFAULT_LOCALE and not catalog_path(code).is_file():
            log.warning(
                "no compiled %s catalog at %s: pages will be in Chinese; run scripts/setup.sh "
                "(pybabel compile -d %s)",
                code,
                catalog_path(code),
                TRANSLATIONS,
            )


__all__ = ["LANGUAGES", "LOCALES", "current_language", "init_app", "select_locale"]
