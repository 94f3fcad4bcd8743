"""Admin API roles: who may do what, and how a bearer token is read from the header."""

import pytest

from registry.audit import Actor
from titlecert.admin.auth import Permission, bearer_token, may


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer tcadm_abc", "tcadm_abc"),
        ("bearer   tcadm_abc  ", "tcadm_abc"),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        ("committee-office", {Permission.READ, Permission.SUPERSEDE}),
        ("approval-authority", {Permission.READ, Permission.REVOKE, Permission.SUPERSEDE}),
        ("archive-clerk", {Permission.READ}),
        ("cli", set()),
        ("somebody", set()),
    ],
)
def test_roles_grant_their_permissions_only(role: str, granted: set[Permission]) -> None:
    actor = Actor("someone", role)
    assert {p for p in Permission if may(actor, p)} == granted
