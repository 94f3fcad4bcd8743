import pytest

from titlecert.settings import RateLimitSettings, from_env


def test_public_site_settings_default() -> None:
    settings = from_env({})
    assert settings.redis_url is None and settings.trusted_proxies == 0
    assert settings.rate_limits == RateLimitSettings()
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
    assert settings.rate_limits == RateLimitSettings(
        "100/minute;1000/hour", "5 per 2 seconds", "20/day", "3/minute", "site-a"
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
