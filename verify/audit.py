"""R-AUDIT: the byte-level revision audit (docs/verification-threats.md, "The acceptance rule and
the revision audit").

pyHanko validates what its xref tables point at; a viewer that repairs a file may read something
else (duplicate object definitions, objects hidden between others, xref entries pointing back into
signed bytes). This audit checks that every incremental update is exactly what its xref says:
each object header appears once, at an offset its own xref lists, inside its own revision, with
nothing but whitespace or comments between the pieces.
"""

import re

from pyhanko.pdf_utils.reader import PdfFileReader

from verify.text import Text

_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b")
_ENDOBJ = re.compile(rb"endobj")
_FILLER = re.compile(rb"(?:\s|%[^\r\n]*)*")


def revision_ends(data: bytes, reader: PdfFileReader) -> list[int]:
    """Offsets just past each revision's %%EOF line, oldest first."""
    ends = []
    xrefs = reader.xrefs
    for rev in range(xrefs.total_revisions):
        meta = xrefs.get_xref_container_info(rev)
        eof = data.find(b"%%EOF", meta.end_location)
        if eof < 0:
            raise ValueError(f"revision {rev} has no %%EOF after its cross-reference data")
        end = eof + 5
        while end < len(data) and data[end : end + 1] in (b"\r", b"\n"):
            end += 1
        ends.append(end)
    return ends


def audit_revisions(data: bytes, reader: PdfFileReader, *, first: int = 1) -> list[Text]:
    """Audit every revision from `first` on; return the findings (empty when clean)."""
    findings: list[Text] = []
    ends = revision_ends(data, reader)
    xrefs = reader.xrefs
    for rev in range(first, xrefs.total_revisions):
        start, end = ends[rev - 1], ends[rev]
        section = xrefs.get_xref_data(rev)
        meta = xrefs.get_xref_container_info(rev)
        if section.hybrid is not None:
            findings.append(
                Text(
                    f"第 {rev + 1} 个修订版本使用了混合交叉引用表",
                    f"revision {rev + 1} uses a hybrid cross-reference section",
                )
            )
        listed = {offset: (idnum, gen) for idnum, (gen, offset) in section.standard_xrefs.items()}
        for idnum, (_, offset) in section.standard_xrefs.items():
            if not start <= offset < end:
                findings.append(
                    Text(
                        f"第 {rev + 1} 个修订版本：对象 {idnum} 指向本修订版本之外",
                        f"revision {rev + 1}: object {idnum} points outside its own revision",
                    )
                )
        for idnum, loc in section.xrefs_in_objstm.items():
            if loc.obj_stream_id not in section.standard_xrefs:
                findings.append(
                    Text(
                        f"第 {rev + 1} 个修订版本：对象 {idnum} 位于另一修订版本的对象流中",
                        f"revision {rev + 1}: object {idnum} lives in an object stream of another revision",
                    )
                )
        region = data[start:end]
        headers = [(m.start() + start, int(m.group(1)), int(m.group(2))) for m in _HEADER.finditer(region)]
        seen: set[tuple[int, int]] = set()
        for offset, idnum, gen in headers:
            if (idnum, gen) in seen:
                findings.append(
                    Text(
                        f"第 {rev + 1} 个修订版本：对象 {idnum} {gen} 被定义了两次",
                        f"revision {rev + 1}: object {idnum} {gen} is defined twice",
                    )
                )
            seen.add((idnum, gen))
            is_xref_stream = meta.stream_ref is not None and offset == meta.declared_startxref
            if listed.get(offset) != (idnum, gen) and not is_xref_stream:
                findings.append(
                    Text(
                        f"第 {rev + 1} 个修订版本：位于字节 {offset} 的对象 {idnum} {gen} 不在其交叉引用表中",
                        f"revision {rev + 1}: object {idnum} {gen} at byte {offset} is not in its xref",
                    )
                )
        findings.extend(_gaps(data, start, meta.declared_startxref, [h[0] for h in headers], rev))
    return findings


def _gaps(data: bytes, start: int, xref_start: int, offsets: list[int], rev: int) -> list[Text]:
    """Bytes between objects (up to the xref) that are neither whitespace nor comments."""
    findings: list[Text] = []
    cursor = start
    bounds = sorted(o for o in offsets if o < xref_start) + [xref_start]
    for nxt in bounds:
        if not _FILLER.fullmatch(data, cursor, nxt):
            findings.append(
                Text(
                    f"第 {rev + 1} 个修订版本：字节 {cursor}..{nxt} 处有无法解释的数据",
                    f"revision {rev + 1}: unexplained bytes at {cursor}..{nxt}",
                )
            )
        if nxt == xref_start:
            break
        last_end = None
        for m in _ENDOBJ.finditer(data, nxt, _next_bound(bounds, nxt)):
            last_end = m.end()
        if last_end is None:
            findings.append(
                Text(
                    f"第 {rev + 1} 个修订版本：位于字节 {nxt} 的对象没有 endobj 结束标记",
                    f"revision {rev + 1}: object at byte {nxt} has no endobj",
                )
            )
            return findings
        cursor = last_end
    return findings


def _next_bound(bounds: list[int], current: int) -> int:
    return next(b for b in bounds if b > current)
