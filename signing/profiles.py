"""Signature profiles: what each role's signature is, and where its seal sits on the page."""

from collections.abc import Sequence
from dataclasses import dataclass

from pyhanko.sign.fields import MDPPerm

from signing.roles import Role


@dataclass(frozen=True)
class SealPlacement:
    """Where one role's visible seal goes."""

    role: Role
    """Whose seal."""
    page: int
    """Zero-based page index."""
    box: tuple[int, int, int, int]
    """(x1, y1, x2, y2) in PDF points from the page's lower-left corner."""
    date: str = ""
    """The date the seal's appearance prints under the signer's name, as the document dates what
    the seal approves (e.g. `2026-01-12`), never the moment of sealing; empty: the name alone."""


@dataclass(frozen=True)
class SignatureProfile:
    """The fixed properties of one role's signature."""

    role: Role
    """The role signing."""
    field_name: str
    """Name of the signature field (informational only: verification recognises the certificate)."""
    certify: bool
    """True for the certification (DocMDP) signature, which must come first."""
    reason: str
    """The /Reason written into the signature."""
    docmdp: MDPPerm | None = None
    """DocMDP permission of a certification signature."""


PROFILES: dict[Role, SignatureProfile] = {
    Role.COMMITTEE: SignatureProfile(
        role=Role.COMMITTEE,
        field_name="CommitteeSeal",
        certify=True,
        reason="评委会评审通过",
        docmdp=MDPPerm.FILL_FORMS,
    ),
    Role.AUTHORITY: SignatureProfile(
        role=Role.AUTHORITY,
        field_name="AuthoritySeal",
        certify=False,
        reason="核准机构核准",
    ),
    Role.VERIFIER: SignatureProfile(
        role=Role.VERIFIER,
        field_name="VerifierSeal",
        certify=True,
        reason="查验服务出具验证报告",
        docmdp=MDPPerm.NO_CHANGES,
    ),
}

SIGNING_ORDER: tuple[Role, ...] = (Role.COMMITTEE, Role.AUTHORITY)
"""An issued document's seals: the committee certifies first; the authority approves last."""

RECEIPT_SEALS: tuple[Role, ...] = (Role.VERIFIER,)
"""A verification report's one seal: the verification service certifies it, allowing no change
(DocMDP P=1) but the validation data and time stamps PAdES adds later."""

COMMITTEE_SEALS: tuple[Role, ...] = (Role.COMMITTEE,)
"""A document of the committee's own that no authority approves (the draft confirmation notice, a
delegated review's result letter): the committee certifies it alone, allowing no change (DocMDP
P=1) but the validation data and time stamps PAdES adds later. P=1 is what tells it from the
committee's revision of a certificate or review form (P=2), which awaits the authority's seal."""


def certification_permission(role: Role, order: Sequence[Role]) -> MDPPerm | None:
    """The DocMDP permission of `role`'s seal in a document sealed by `order`: a certification that
    is the document's only seal allows no change (P=1); the committee's before the authority's
    allows form filling and signing (P=2); an approval signature has none."""
    profile = PROFILES[role]
    if profile.certify and tuple(order) == (role,):
        return MDPPerm.NO_CHANGES
    return profile.docmdp
