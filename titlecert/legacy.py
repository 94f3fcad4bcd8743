"""`titlecert legacy import`: titles awarded on paper before this system into the registry, all of
a file or nothing. Names and ID numbers are stored only as keyed hashes (the instance secret) and
masked; a row imported before is recognised and skipped, a number stored with other values is an
error. The import is audited with the file's SHA-256 and its counts."""

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import LegacyInputError
from docgen.legacy import LegacyRow, read_legacy
from docgen.rules import mask_id
from registry.audit import Actor, AuditAction
from registry.holders import holder_id_hmac, holder_name_hmac
from registry.ledger import Ledger
from registry.models import LegacyTitle
from verify.registered import mask_name
from verify.typed import normalise_certificate_no

_CONTENT_DOMAIN = b"titlecert legacy-row v1\x00"


@dataclass(frozen=True)
class LegacyImport:
    """What an import did."""

    added: int
    already: int
    """Rows identical to titles imported before (skipped)."""
    sha256: str


def import_legacy(
    ledger: Ledger, path: Path, *, secret: bytes, actor: Actor, at: dt.datetime
) -> LegacyImport:
    """Check the whole file, then add its new titles in the caller's transaction. Raises LegacyInputError
    (nothing added) for a broken row or a number already stored with other values."""
    read = read_legacy(path)
    records = [_record(r, secret, read.sha256, at) for r in read.rows]
    stored = ledger.legacy.of_numbers([r.certificate_no for r in records])
    conflicts = [
        f"{path}: row {row.row}, 证书编号 (certificate_no): already registered with other values / "
        f"该证书编号已以不同信息登记, found {row.certificate_no!r}"
        for row, record in zip(read.rows, records, strict=True)
        if record.certificate_no in stored
        and stored[record.certificate_no].content_hash != record.content_hash
    ]
    if conflicts:
        raise LegacyInputError(conflicts)
    new = [r for r in records if r.certificate_no not in stored]
    ledger.legacy.add(new)
    ledger.audit.append(
        actor=actor,
        action=AuditAction.LEGACY_IMPORTED,
        subject=path.name,
        detail={"sha256": read.sha256, "added": len(new), "already": len(records) - len(new)},
        at=at,
    )
    return LegacyImport(added=len(new), already=len(records) - len(new), sha256=read.sha256)


def _record(row: LegacyRow, secret: bytes, sha256: str, at: dt.datetime) -> LegacyTitle:
    values = {
        "certificate_no": normalise_certificate_no(row.certificate_no),
        "name_hmac": holder_name_hmac(secret, row.name),
        "name_masked": mask_name(row.name),
        "id_hmac": holder_id_hmac(secret, row.id_number),
        "id_masked": mask_id(row.id_number),
        "title": row.title,
        "level": row.level,
        "series": row.series,
        "speciality": row.speciality,
        "committee": row.committee,
        "passed_on": row.passed_on,
        "issued_on": row.issued_on,
    }
    canonical = json.dumps(values | {"id_type": row.id_type.value}, default=str, sort_keys=True)
    content = hmac.new(secret, _CONTENT_DOMAIN + canonical.encode(), hashlib.sha256).hexdigest()
    return LegacyTitle(**values, content_hash=content, source_sha256=sha256, created_at=at)


__all__ = ["LegacyImport", "import_legacy"]
