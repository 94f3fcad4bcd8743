"""What issuing hands back: the documents written (for `--json` and the folder's manifest.json)."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from titlecert.kinds import DocumentKind


@dataclass(frozen=True)
class IssuedDocument:
    """One document written by `issue`."""

    kind: str
    path: str
    sha256: str
    certificate_no: str | None = None
    verify_url: str | None = None
    form_no: str | None = None
    copy: str | None = None
    pages: int = 1
    storage_key: str | None = None
    """Where the sealed document's archive copy is kept in the instance's document store."""
    holder_url: str | None = None
    """A certificate's holder page (its secret is stored only hashed): hand it to the holder."""
    supersedes: str | None = None
    """A re-issued certificate: the number of the one it replaces."""

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class IssueResult:
    """What `issue --json` prints."""

    documents: list[IssuedDocument] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Findings that did not block issuing (e.g. a make-up Sunday inside a publicity period)."""
    skipped: list[str] = field(default_factory=list)
    """Applicants not issued, with why (failed vote, already issued)."""
    job: int | None = None
    """The issuing job (None when there was nothing to issue)."""

    def to_json(self) -> dict[str, object]:
        docs = [d.to_json() for d in self.documents]
        out: dict[str, object] = {
            "documents": docs,
            "errors": self.errors,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }
        if self.job is not None:
            out["job"] = self.job
        return out

    @property
    def certificates(self) -> list[IssuedDocument]:
        return [d for d in self.documents if d.kind == DocumentKind.CERTIFICATE]


MANIFEST = "manifest.json"


def read_manifest(out_dir: Path) -> list[dict[str, str]]:
    """Every document ever issued into `out_dir`, oldest first (the folder's manifest.json)."""
    try:
        return list(json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["documents"])
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
        return []


def update_manifest(out_dir: Path, documents: list[IssuedDocument]) -> None:
    """Add documents to the folder's manifest, the issuer's record of verify URLs; an entry for
    the same path (a resumed job writing it again) is replaced, not repeated."""
    if not documents:
        return
    new = [d.to_json() for d in documents]
    paths = {d.path for d in documents}
    kept = [d for d in read_manifest(out_dir) if d.get("path") not in paths]
    out_dir.mkdir(parents=True, exist_ok=True)
    part = out_dir / (MANIFEST + ".part")
    part.write_text(json.dumps({"documents": kept + new}, ensure_ascii=False, indent=2), encoding="utf-8")
    part.replace(out_dir / MANIFEST)
