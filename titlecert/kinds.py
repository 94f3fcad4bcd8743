"""The kinds of document titlecert makes and of the units of work that make them (the values are
stored in the registry). What each kind is made of lives in titlecert.documents' table."""

from enum import StrEnum


class DocumentKind(StrEnum):
    """The documents of the notice titlecert makes; the values are stored in the registry."""

    CERTIFICATE = "certificate"
    """职称电子证书: the electronic title certificate, sealed by both roles, with its QR code."""
    REVIEW_FORM = "review-form"
    """评审表: the review form, in two copies; the result page carries both e-seals."""
    PUBLICITY_TABLE = "publicity-table"
    """公示表: an applicant's publicity table, printed and posted by the unit."""
    RESULTS_LIST = "results-list"
    """评审结果公示: the session's results publicity."""
    REVIEW_REPORT = "review-report"
    """评审情况报告: the committee's report on the session."""
    DRAFT_NOTICE = "draft-notice"
    """代拟职称资格确认通知: the confirmed passes, submitted to the authority; the committee's seal alone."""
    RESULT_LETTER = "result-letter"
    """评审结果函复: a delegated review's results, to the entrusting unit; the committee's seal alone."""


class Scope(StrEnum):
    """How many of a document a session has."""

    AWARD = "award"
    """One per passed applicant, numbered and sealed: issued together as one unit of work."""
    APPLICANT = "applicant"
    """One per applicant, passed or not."""
    SESSION = "session"
    """One per session."""
    DELEGATOR = "delegator"
    """One per entrusting unit (委托单位) of delegated reviews, made under the row of its first
    delegated applicant."""


class Filing(StrEnum):
    """How a registered document is filed: what the registry keeps, and what verifies it."""

    CERTIFICATE = "certificate"
    """The award's certificate row: its number, holder, QR token and fingerprints."""
    PRINTED = "printed"
    """A document row per copy, verifiable by upload, and for the clerk pages the printed copy with
    the boxes stamped by hand; each page carries its page code."""
    DOCUMENT = "document"
    """A document row of the award, verifiable by upload."""
    SESSION = "session"
    """Not registered: archived under its job (`session-documents/`), printed and posted by hand."""
    SEALED = "sealed"
    """A session document sealed by the committee alone: a document row of its own, of no award
    (numbered by its job, `titlecert.jobs.register`), verifiable by upload; archived under its job."""


AWARD_UNIT = Scope.AWARD.value
"""The unit kind of an award's documents (its certificate and review-form copies); every other
unit is one document and has that document's kind."""
