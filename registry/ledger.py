"""The ledger: every repository of the registry over one transaction (the unit of work).

`Registry.transaction()` yields one; what a caller changes through any of its repositories commits
together or not at all. The repositories are the only code that queries the registry's tables.
"""

from sqlalchemy.orm import Session

from registry.applications import ApplicationBook
from registry.audit import AuditLog
from registry.clerks import ClerkAccounts
from registry.jobs import JobRepository
from registry.legacy import LegacyTitles
from registry.mandates import Mandates
from registry.paper import PaperBook
from registry.replacements import Replacements
from registry.repository import CertificateRepository
from registry.shares import ShareLinks
from registry.staff import StaffTokens
from registry.verifications import VerificationLog


class Ledger:
    """The repositories of one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        """The transaction itself: for the registry's repositories, and for tests that tamper with rows."""
        self.certificates = CertificateRepository(session)
        self.audit = AuditLog(session)
        """One audit log per transaction, so entries appended by several actions chain in order."""
        self.jobs = JobRepository(session)
        self.staff = StaffTokens(session, self.audit)
        self.paper = PaperBook(session)
        self.clerks = ClerkAccounts(session)
        self.replacements = Replacements(session)
        self.verifications = VerificationLog(session)
        self.applications = ApplicationBook(session)
        """Every session's applicants by year (one normal-channel application a year)."""
        self.legacy = LegacyTitles(session)
        """Titles awarded on paper before this system, imported by the committee office."""
        self.mandates = Mandates(session)
        """Review committees' mandates and seal certificates (docs/committees.md)."""
        self.shares = ShareLinks(session)
        """The holders' share links (docs/holder-control.md)."""


__all__ = ["Ledger"]
