"""Admission control: cheap byte-level checks before any parser touches an upload, and the revision
bounds checked right after parsing (docs/verification-threats.md, "Untrusted uploads")."""

import re
from dataclasses import dataclass

from verify.text import Text

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_CONTENT_REVISIONS = 8
"""Revisions up to and including the last seal's: the base document, the two seals and the
validation data B-LT puts between them (issued files have 3 at B-B/B-T, 4 at B-LT/B-LTA). More is
refused before validation: content revisions are what pyHanko's diff analysis works hardest on."""
MAX_TAIL_REVISIONS = 200
"""Revisions after the last seal: only validation data and document time stamps may follow it,
and each archive renewal adds two, so this is a hundred renewals (a century is about thirty). Its
cost is bounded by the upload size and the sandbox's CPU and wall-clock limits as well."""
MAX_REVISIONS = MAX_CONTENT_REVISIONS + MAX_TAIL_REVISIONS
"""The generous overall cap counted on the bytes (`%%EOF` markers) before parsing."""

_EOF = re.compile(rb"%%EOF")


ENCRYPTED = Text("文件已加密：签发的文件从不加密", "the file is encrypted; issued documents never are")


@dataclass(frozen=True)
class Admission:
    """The outcome of admission control."""

    ok: bool
    """True if the bytes may be parsed."""
    reason: Text | None = None
    """Why not, in plain words."""


def admit(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Admission:
    """Decide whether `data` may be handed to the PDF parser at all."""
    if len(data) > max_bytes:
        mib = max_bytes // (1024 * 1024)
        return Admission(False, Text(f"文件大于 {mib} MiB", f"the file is larger than {mib} MiB"))
    if not data.startswith(b"%PDF-1."):
        return Admission(
            False,
            Text(
                "文件不是 PDF：开头没有 PDF 文件头（%PDF-1.x）",
                "the file does not start with a PDF header (%PDF-1.x at offset 0)",
            ),
        )
    tail = data[-1024:]
    last = tail.rfind(b"%%EOF")
    if last < 0:
        return Admission(
            False, Text("文件不完整：结尾没有 PDF 结束标记（%%EOF）", "the file does not end with %%EOF")
        )
    if len(tail) - (last + 5) > 2 or tail[last + 5 :].strip(b"\r\n"):
        return Admission(False, Text("PDF 结束标记之后还附有其他数据", "data follows the final %%EOF marker"))
    if len(_EOF.findall(data)) > MAX_REVISIONS:
        return Admission(
            False,
            Text(
                f"文件的修订版本超过 {MAX_REVISIONS} 个", f"the file has more than {MAX_REVISIONS} revisions"
            ),
        )
    if b"/Encrypt" in data:
        return Admission(False, ENCRYPTED)
    return Admission(True)


def revision_problem(total: int, last_seal_revision: int | None) -> Text | None:
    """Why a parsed file's revisions are out of bounds (None: within them).

    `total` counts the file's revisions; `last_seal_revision` is the (0-based) revision the last
    /Sig seal signed, None when the file carries no seal (then every revision counts as content).
    """
    content = total if last_seal_revision is None else last_seal_revision + 1
    if content > MAX_CONTENT_REVISIONS:
        return Text(
            f"文件在最后一个签章之前有 {content} 个修订版本，签发的文件最多 {MAX_CONTENT_REVISIONS} 个",
            f"the file has {content} revisions up to its last seal; an issued document has at most "
            f"{MAX_CONTENT_REVISIONS}",
        )
    if total - content > MAX_TAIL_REVISIONS:
        return Text(
            f"文件在最后一个签章之后有 {total - content} 个修订版本，超过 {MAX_TAIL_REVISIONS} 个"
            "（一百次存档续期）不予受理",
            f"the file has {total - content} revisions after its last seal; more than "
            f"{MAX_TAIL_REVISIONS} (a hundred archive renewals) are not accepted",
        )
    return None
