"""Admin API roles: who may do what, and how a bearer token is read from the header."""

import click
import pytest

from registry.audit import Actor
from registry.staff import StaffRole
from titlecert.admin.auth import GRANTS, Permission, bearer_token, may
from titlecert.cli.admin import token_create


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
        ("committee-office", {Permission.READ, Permission.SUPERSEDE, Permission.READ_JOBS}),
        (
            "approval-authority",
            {Permission.READ, Permission.REVOKE, Permission.SUSPEND, Permission.SUPERSEDE},
        ),
        ("archive-clerk", {Permission.READ}),
        ("cli", set()),
        ("somebody", set()),
    ],
)
def test_roles_grant_their_permissions_only(role: str, granted: set[Permission]) -> None:
    actor = Actor("someone", role)
    assert {p for p in Permission if may(actor, p)} == granted


def test_every_role_is_offered_by_the_cli_and_granted_something() -> None:
    [role_option] = [p for p in token_create.params if p.name == "role"]
    assert isinstance(role_option.type, click.Choice)
    assert tuple(role_option.type.choices) == tuple(r.value for r in StaffRole)
    assert set(GRANTS) == set(StaffRole)
