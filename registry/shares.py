"""The holder's share links: the only place that queries `share_links` (registry.models.ShareLink).

A link's token is stored only as its SHA-256 (`hash_token`, like QR tokens and holder secrets);
whether a link still opens is the caller's question (verify.shares), asked at a given moment."""

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.models import ShareLink, VerificationLogEntry
from registry.repository import hash_token


class ShareLinks:
    """Share links, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, certificate_no: str, *, token: str, purpose: str, at: dt.datetime, expires_at: dt.datetime
    ) -> ShareLink:
        """Register a link to `certificate_no`; only the token's hash is kept."""
        link = ShareLink(
            token_hash=hash_token(token),
            certificate_no=certificate_no,
            purpose=purpose,
            created_at=at,
            expires_at=expires_at,
        )
        self.session.add(link)
        self.session.flush()
        return link

    def by_token(self, token: str) -> ShareLink | None:
        """The link whose token is `token`, expired and withdrawn ones included."""
        query = select(ShareLink).where(ShareLink.token_hash == hash_token(token))
        return self.session.execute(query).scalar_one_or_none()

    def by_id(self, share_id: int) -> ShareLink | None:
        return self.session.get(ShareLink, share_id)

    def of(self, certificate_nos: Collection[str]) -> Sequence[ShareLink]:
        """The links to any of these certificates, the newest first."""
        query = (
            select(ShareLink)
            .where(ShareLink.certificate_no.in_(list(certificate_nos)))
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        )
        return self.session.execute(query).scalars().all()

    def withdraw(self, link: ShareLink, *, at: dt.datetime) -> ShareLink:
        """Withdraw `link` at `at` (a link already withdrawn keeps its first moment)."""
        if link.withdrawn_at is None:
            link.withdrawn_at = at
            self.session.flush()
        return link

    def uses(self, share_ids: Collection[int]) -> dict[int, int]:
        """How many verifications came by each of these links (absent: none)."""
        if not share_ids:
            return {}
        query = (
            select(VerificationLogEntry.share_id, func.count())
            .where(VerificationLogEntry.share_id.in_(list(share_ids)))
            .group_by(VerificationLogEntry.share_id)
        )
        return {int(share_id or 0): int(n) for share_id, n in self.session.execute(query).all()}

    def purposes(self, share_ids: Collection[int]) -> dict[int, str]:
        """The purpose of each of these links, by id."""
        if not share_ids:
            return {}
        query = select(ShareLink.id, ShareLink.purpose).where(ShareLink.id.in_(list(share_ids)))
        return {int(i): str(p) for i, p in self.session.execute(query).all()}


__all__ = ["ShareLinks"]
