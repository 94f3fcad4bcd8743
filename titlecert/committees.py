"""Review committees' mandates and seal certificates, loaded by the operator from a JSON file
(`titlecert committee import`) and, for the DEMO instance, by `init` (docs/committees.md).

The file lists committees; each has its mandate (批准文件/备案文号, term, series, speciality, highest
level) and its seal certificates (a PEM or DER file, relative to the JSON file, and the period it
was authorised for). Every problem is named by file, row and field, in Chinese and English, as the
session import names its own; nothing is registered unless the whole file is sound.
"""

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import x509
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from docgen.errors import InputError
from docgen.models import Level
from registry.ledger import Ledger
from registry.models import CommitteeMandate, CommitteeSeal
from signing.trust import load_certificates, sha256_fingerprint

DEMO_MANDATE = "渝人社备〔2021〕1号（演示）"
"""The DEMO committee's approving document: a stand-in, as the DEMO PKI is."""
DEMO_TERM = (dt.date(2021, 1, 1), dt.date(2030, 12, 31))


class SealEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    certificate: str = Field(min_length=1, description="PEM or DER file, relative to the JSON file")
    valid_from: dt.datetime
    valid_to: dt.datetime

    @model_validator(mode="after")
    def _ordered(self) -> "SealEntry":
        if self.valid_from.tzinfo is None or self.valid_to.tzinfo is None:
            raise ValueError("给出时区，如 +08:00 / give the time zone, e.g. +08:00")
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to 早于 valid_from / valid_to is before valid_from")
        return self


class CommitteeEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    series: str = Field(min_length=1, max_length=100)
    speciality: str = Field(min_length=1, max_length=100)
    highest_level: Level
    document_no: str = Field(min_length=1, max_length=100)
    valid_from: dt.date
    valid_to: dt.date
    seals: list[SealEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> "CommitteeEntry":
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to 早于 valid_from / valid_to is before valid_from")
        return self


class CommitteeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    committees: list[CommitteeEntry] = Field(min_length=1)


def load_committees(path: Path) -> tuple[list[CommitteeMandate], list[CommitteeSeal]]:
    """The file's mandates and seal certificates as rows. Raises InputError naming every problem."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError([f"{path}: 文件不存在 / file not found"]) from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError([f"{path}: 不是有效的 UTF-8 JSON / not valid UTF-8 JSON ({e})"]) from e
    try:
        parsed = CommitteeFile.model_validate(doc)
    except ValidationError as e:
        raise InputError([f"{path}: {_where(doc, err['loc'])}: {err['msg']}" for err in e.errors()]) from e
    now = dt.datetime.now(dt.UTC)
    mandates, seals, problems = [], [], []
    for i, c in enumerate(parsed.committees):
        mandates.append(
            CommitteeMandate(
                committee=c.name,
                series=c.series,
                speciality=c.speciality,
                highest_level=c.highest_level.value,
                document_no=c.document_no,
                valid_from=c.valid_from,
                valid_to=c.valid_to,
                created_at=now,
            )
        )
        for j, s in enumerate(c.seals):
            where = f"{path}: {_where(doc, ('committees', i, 'seals', j, 'certificate'))}"
            try:
                cert = load_certificates((path.parent / s.certificate).read_bytes())[0]
            except (OSError, ValueError, IndexError) as e:
                problems.append(f"{where}: 无法读取证书 / cannot read the certificate ({e})")
                continue
            seals.append(_seal(c.name, cert, s.valid_from, s.valid_to, now))
    if problems:
        raise InputError(problems)
    return mandates, seals


def _seal(
    committee: str, cert: x509.Certificate, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> CommitteeSeal:
    return CommitteeSeal(
        committee=committee,
        sha256=sha256_fingerprint(cert),
        subject=str(cert.subject.human_friendly)[:400],
        valid_from=start,
        valid_to=end,
        created_at=now,
    )


def _where(doc: Any, loc: Sequence[int | str]) -> str:
    """`committees row 2 (NAME), seals row 1, valid_to`: rows from 1, as the session import names them."""
    parts: list[str] = []
    node = doc
    for k in loc:
        if isinstance(k, int):
            name = (
                node[k].get("name")
                if isinstance(node, list) and k < len(node) and isinstance(node[k], dict)
                else None
            )
            parts[-1] += f" row {k + 1}" + (f" ({name})" if isinstance(name, str) else "")
        else:
            parts.append(str(k))
        try:
            node = node[k]
        except (KeyError, IndexError, TypeError):
            node = None
    return ", ".join(parts) or "(top level)"


def register(
    ledger: Ledger, mandates: Sequence[CommitteeMandate], seals: Sequence[CommitteeSeal]
) -> tuple[int, int]:
    """Add what the registry does not hold yet (a mandate by committee and document, a seal by
    fingerprint); returns how many mandates and seals were added."""
    added_m = added_s = 0
    for m in mandates:
        if all(k.document_no != m.document_no for k in ledger.mandates.of_committee(m.committee)):
            ledger.mandates.add_mandate(m)
            added_m += 1
    for s in seals:
        if ledger.mandates.seal(s.sha256) is None:
            ledger.mandates.add_seal(s)
            added_s += 1
    return added_m, added_s


def demo_rows(committee: str, cert: x509.Certificate) -> tuple[CommitteeMandate, CommitteeSeal]:
    """The DEMO committee's mandate (series 工程技术, up to 正高级) and its seal certificate,
    authorised for the certificate's own validity."""
    now = dt.datetime.now(dt.UTC)
    validity = cert["tbs_certificate"]["validity"]
    mandate = CommitteeMandate(
        committee=committee,
        series="工程技术",
        speciality="大数据智能化",
        highest_level=Level.FULL_SENIOR.value,
        document_no=DEMO_MANDATE,
        valid_from=DEMO_TERM[0],
        valid_to=DEMO_TERM[1],
        created_at=now,
    )
    start, end = validity["not_before"].native, validity["not_after"].native
    return mandate, _seal(committee, cert, start, end, now)


__all__ = ["DEMO_MANDATE", "demo_rows", "load_committees", "register"]
