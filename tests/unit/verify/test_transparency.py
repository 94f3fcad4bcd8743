"""What the holder's log keeps of a requester: a network and a browser family, never the address."""

import pytest

from verify.transparency import browser_family, describe_requester, network_of

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EDGE = CHROME + " Edg/131.0.2903.86"
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50(0x1800323b) NetType/WIFI Language/zh_CN"
)
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12:3456:789a:bcde:f012", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("fe80::1%eth0", "fe80::/48"),
        ("not an address", "unknown network"),
        (None, "unknown network"),
    ],
)
def test_the_network_is_a_24_or_48_prefix(address: str | None, network: str) -> None:
    assert network_of(address) == network


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (CHROME, "Chrome"),
        (EDGE, "Edge"),
        (WECHAT, "WeChat"),
        (SAFARI, "Safari"),
        (FIREFOX, "Firefox"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "python-requests"),
        ("SomethingNew/1.0", "other"),
        ("", "unknown client"),
        (None, "unknown client"),
    ],
)
def test_the_browser_family_has_no_version(agent: str | None, family: str) -> None:
    assert browser_family(agent) == family


def test_the_description_never_holds_the_address_or_the_user_agent() -> None:
    described = describe_requester("203.0.113.77", EDGE)
    assert described == "203.0.113.0/24 · Edge"
    assert "203.0.113.77" not in described and "131" not in described
    v6 = describe_requester("2001:db8:abcd:12::99", FIREFOX)
    assert v6 == "2001:db8:abcd::/48 · Firefox" and ":12:" not in v6
