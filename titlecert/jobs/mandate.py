"""A session is issued only by a committee with a mandate (评委会备案) for each applicant's series and
level on the sitting's days (the notice: applications go to "相应序列或专业评委会", item 二(六); the
committee's remit is its approving document): checked before a job exists (`issue`'s preflight,
`titlecert check --services`), each refusal naming the file, row and field in Chinese and English
(docs/committees.md).

A committee the registry knows no mandate of is not checked: an instance that has not registered
its committees yet keeps issuing.
"""

from docgen.findings import Findings, Path
from docgen.load import describe_findings
from docgen.models import LoadedSession
from registry.db import Registry
from registry.errors import Unavailable
from registry.mandates import covering, level_covered
from registry.models import CommitteeMandate


def check(registry: Registry, loaded: LoadedSession) -> tuple[list[str], list[str]]:
    """Errors and warnings of the session against its committee's mandates. Raises Unavailable when
    the registry does not answer."""
    name = loaded.session.committee.name
    try:
        with registry.transaction() as ledger:
            mandates = ledger.mandates.of_committee(name)
    except Unavailable as e:
        raise Unavailable(f"the committee's mandate cannot be checked: {e}") from e
    return describe_findings(loaded.source, findings(loaded, mandates))


def findings(loaded: LoadedSession, mandates: list[CommitteeMandate]) -> Findings:
    """An error for each applicant no mandate covers on both days of the sitting."""
    s = loaded.session
    out = Findings()
    if not mandates:
        return out  # not registered: the remit is not checked (module docstring)
    for i, a in enumerate(s.applicants):
        series, level = a.applied.series, a.applied.level.value
        if all(covering(mandates, series, level, day) for day in (s.sitting.start, s.sitting.end)):
            continue
        path, why = _why(mandates, series, level, loaded, i)
        out.error(path, why)
    return out


def _why(
    mandates: list[CommitteeMandate], series: str, level: str, loaded: LoadedSession, i: int
) -> tuple[Path, str]:
    s = loaded.session
    terms = "；".join(
        f"{m.document_no}：{m.series} {m.highest_level}及以下，{m.valid_from}至{m.valid_to}" for m in mandates
    )
    known = f"（已备案 / registered: {terms}）"
    same_series = [m for m in mandates if m.series == series]
    if not same_series:
        return ("applicants", i, "applied", "series"), (
            f"评委会无“{series}”系列的评审权限，不能签发 / the committee has no mandate for the "
            f"series {series}: nothing can be issued{known}"
        )
    if not any(level_covered(m.highest_level, level) for m in same_series):
        return ("applicants", i, "applied", "level"), (
            f"评委会无{series}系列{level}的评审权限，不能签发 / the committee may not review "
            f"{level} in {series}: nothing can be issued{known}"
        )
    return ("sitting", "start"), (
        f"评审会日期（{s.sitting.start}至{s.sitting.end}）不在评委会{series}系列{level}评审权限的有效期内，"
        f"不能签发 / the sitting is outside the term of the committee's mandate for {level} in "
        f"{series}: nothing can be issued{known}"
    )


__all__ = ["check", "findings"]
