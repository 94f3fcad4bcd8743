"""The site's words for verdicts, registry statuses and seal roles, keyed by their enums (one home;
the pages, the transparency log and the clerk pages all use these)."""

from flask_babel import lazy_gettext as _l

from signing.roles import Role
from verify.registered import Status
from verify.report import Verdict
from verify.wording import Case

STATUS_LABELS: dict[str, object] = {
    Status.VALID: _l("有效"),
    Status.REVOKED: _l("已撤销"),
    Status.SUPERSEDED: _l("已被新证书替代"),
    Status.SUSPENDED: _l("暂停使用（调查中）"),
    Status.UNKNOWN: _l("未找到"),
}


VERDICT_LABELS: dict[str, object] = {
    Verdict.VALID: _l("有效"),
    Verdict.INVALID: _l("无效"),
    Verdict.MODIFIED: _l("已被修改"),
    Verdict.INDETERMINATE: _l("无法确认"),
    Verdict.MALFORMED: _l("无法识别"),
}
ROLE_LABELS: dict[str, object] = {Role.COMMITTEE: _l("评委会"), Role.AUTHORITY: _l("核准机构")}

CASE_STYLES: dict[str, str] = {
    Case.GENUINE: "valid",
    Case.RECEIPT: "valid",
    Case.SUPERSEDED: "superseded",
    Case.SUSPENDED: "suspended",
    Case.GENUINE_OFFLINE: "unknown",
    Case.UNCONFIRMED: "unknown",
}
"""The colour of a case's headline (verify.css `status-*`); every other case is `bad`."""
