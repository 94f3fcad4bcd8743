import re
from pathlib import Path

import pytest

import titlecert.settings
from titlecert.errors import ConfigError
from titlecert.settings import from_env
from titlecert.settings.keys import ROLES
from titlecert.settings.variables import VARIABLES
from verify.ratelimits import RateLimits

REPO = Path(__file__).resolve().parents[3]
SETTINGS = Path(titlecert.settings.__file__).parent


def test_public_site_settings_default() -> None:
    settings = from_env({})
    assert settings.redis_url is None and settings.trusted_proxies == 0
    assert settings.rate_limits == RateLimits()
    assert settings.rate_limits.match == "10/minute"


def test_public_site_settings_from_the_environment() -> None:
    settings = from_env(
        {
            "TITLECERT_REDIS_URL": "redis://127.0.0.1:6379/2",
            "TITLECERT_TRUSTED_PROXIES": "1",
            "TITLECERT_RATE_LIMIT_LOOKUP": "100/minute;1000/hour",
            "TITLECERT_RATE_LIMIT_MATCH": "5 per 2 seconds",
            "TITLECERT_RATE_LIMIT_MATCH_CERTIFICATE": "20/day",
            "TITLECERT_RATE_LIMIT_UPLOAD": "3/minute",
            "TITLECERT_RATE_LIMIT_PREFIX": "site-a",
        }
    )
    assert settings.redis_url == "redis://127.0.0.1:6379/2" and settings.trusted_proxies == 1
    assert settings.rate_limits == RateLimits(
        "100/minute;1000/hour", "5 per 2 seconds", "20/day", "3/minute", "redis://127.0.0.1:6379/2", "site-a"
    )


def test_bad_public_site_settings_name_the_variable() -> None:
    with pytest.raises(
        ValueError, match=r"TITLECERT_RATE_LIMIT_MATCH must be a rate limit such as '10/minute'"
    ):
        from_env({"TITLECERT_RATE_LIMIT_MATCH": "ten a minute"})
    with pytest.raises(
        ValueError, match=r"TITLECERT_TRUSTED_PROXIES must be a whole number \(0 or more\), not '-1'"
    ):
        from_env({"TITLECERT_TRUSTED_PROXIES": "-1"})


def test_a_misspelled_variable_is_refused_with_the_name_it_resembles() -> None:
    with pytest.raises(ConfigError) as raised:
        from_env({"TITLECERT_SIGNATURE_LEVL": "B-T", "TITLECERT_HOME": "home"})
    assert str(raised.value) == (
        "TITLECERT_SIGNATURE_LEVL is not a titlecert setting: did you mean TITLECERT_SIGNATURE_LEVEL?"
    )
    with pytest.raises(
        ConfigError, match="TITLECERT_NONSENSE is not a titlecert setting: docs/configuration"
    ):
        from_env({"TITLECERT_NONSENSE": "1"})
    assert from_env({"TITLECERTAIN": "1", "OTHER_TITLECERT_X": "1"}).home.name == "instance"


def test_every_variable_settings_read_is_known_and_documented() -> None:
    documented = set(
        re.findall(r"`(TITLECERT_[A-Z0-9_]+)`", (REPO / "docs" / "configuration.md").read_text())
    )
    assert documented == VARIABLES
    read = set(re.findall(r'"(TITLECERT_[A-Z0-9_]+)"', "".join(p.read_text() for p in SETTINGS.glob("*.py"))))
    read |= {f"TITLECERT_{r.upper()}_{part}" for r in ROLES for part in ("PKCS12", "PASSWORD", "SEAL_NAME")}
    assert read <= VARIABLES


def test_every_configuration_problem_is_one_error_type() -> None:
    for env in (
        {"TITLECERT_SIGNATURE_LEVEL": "B-X"},
        {"TITLECERT_STORE_URL": "http://bucket"},
        {"TITLECERT_WEB_WORKERS": "zero"},
        {"TITLECERT_RATE_LIMIT_MATCH": "often"},
        {"TITLECERT_PKCS11_MODULE": "/x.so"},
        {"TITLECERT_TRUSTED_PROXIES": "-1"},
    ):
        with pytest.raises(ConfigError, match=next(iter(env))):
            from_env(env)


def test_the_ocsp_responders_and_crls_are_the_demo_pkis_unless_configured() -> None:
    demo = from_env({"TITLECERT_PKI_URL": "http://127.0.0.1:9001"}).revocation
    assert (demo.ocsp_urls, demo.crl_urls, demo.timeout) == (
        ("http://127.0.0.1:9001/ocsp",),
        ("http://127.0.0.1:9001/crl",),
        3.0,
    )
    office = from_env(
        {
            "TITLECERT_OCSP_URLS": "https://ocsp.ca.example/a, http://10.1.2.3/ocsp",
            "TITLECERT_CRL_URLS": "http://crl.ca.example/ca.crl  https://10.1.2.3/crl",
            "TITLECERT_REVOCATION_TIMEOUT": "1.5",
        }
    ).revocation
    assert (office.ocsp_urls, office.timeout) == (("https://ocsp.ca.example/a", "http://10.1.2.3/ocsp"), 1.5)
    assert office.crl_urls == ("http://crl.ca.example/ca.crl", "https://10.1.2.3/crl")
    assert from_env({"TITLECERT_OCSP_URLS": "none"}).revocation.ocsp_urls == ()
    assert from_env({"TITLECERT_OCSP_URLS": ""}).revocation.ocsp_urls == ()
    # each is turned off on its own
    pki = {"TITLECERT_PKI_URL": "http://127.0.0.1:9001"}
    no_crl = from_env({**pki, "TITLECERT_CRL_URLS": " None "}).revocation
    assert (no_crl.ocsp_urls, no_crl.crl_urls) == (("http://127.0.0.1:9001/ocsp",), ())


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TITLECERT_OCSP_URLS", "file:///etc/passwd", "is not an http:// or https:// URL"),
        ("TITLECERT_OCSP_URLS", "ocsp.ca.example", "is not an http:// or https:// URL"),
        ("TITLECERT_CRL_URLS", "ldap://ldap.ca.example/cn=CA?certificateRevocationList", "is not an http://"),
        ("TITLECERT_REVOCATION_TIMEOUT", "0", "must be a positive number of seconds"),
        ("TITLECERT_REVOCATION_TIMEOUT", "soon", "must be a positive number of seconds"),
        ("TITLECERT_REVOCATION_TIMEOUT", "inf", "must be a positive number of seconds"),
    ],
)
def test_a_bad_revocation_setting_is_refused_naming_it(variable: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError, match=f"{variable}.*{says}"):
        from_env({variable: value})
