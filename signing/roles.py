"""The signing roles of a titlecert document and how a certificate proves it holds one."""

from enum import StrEnum


class Role(StrEnum):
    """Who applies a seal. Stored in trust settings and shown in verification reports."""

    COMMITTEE = "committee"
    """The review committee (评委会): certification signature, DocMDP form filling allowed."""
    AUTHORITY = "authority"
    """The approval authority (核准机构): approval signature after the committee's."""
    VERIFIER = "verifier"
    """The verification service (查验服务): seals the verification reports the public site hands
    out, and nothing else. Optional: without its key the site offers no reports."""


ISSUING_ROLES: tuple[Role, ...] = (Role.COMMITTEE, Role.AUTHORITY)
"""The roles every issued document needs; an instance cannot issue without both keys."""


# Certificate-policy OIDs that mark a signing certificate as holding a role. They live under the
# UUID arc 2.25 (ITU-T X.667), which anyone may use without registration; a production CA
# configures its own OIDs in the trust settings instead.
ROLE_POLICY_OIDS: dict[Role, str] = {
    Role.COMMITTEE: "2.25.299527012854132966308716524139659866574",
    Role.AUTHORITY: "2.25.16305915405612388796200271250650064028",
    Role.VERIFIER: "2.25.187717484205761687286410543429586639302",
}

ROLE_LABELS_ZH: dict[Role, str] = {
    Role.COMMITTEE: "评委会",
    Role.AUTHORITY: "核准机构",
    Role.VERIFIER: "查验服务",
}
