"""Reading a revision's PDF objects for the tail check (verify.tail): page leaves, content and
DSS references, streams, XMP facts, widgets, and objects made plain (references resolved, streams
hashed) so that two revisions' objects compare by value."""

import hashlib
import io
from collections.abc import Iterable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.metadata import model as xmp_model
from pyhanko.pdf_utils.metadata.xmp_xml import parse_xmp
from pyhanko.pdf_utils.reader import HistoricalResolver

from verify.text import Text

Ref = generic.Reference

XMP_BOOKKEEPING = {
    xmp_model.ExpandedName(xmp_model.NS["xmp"], "ModifyDate"),
    xmp_model.ExpandedName(xmp_model.NS["xmp"], "MetadataDate"),
    xmp_model.ExpandedName(xmp_model.NS["pdf"], "Producer"),
}
DSS_KEYS = {"/Type", "/Certs", "/OCSPs", "/CRLs", "/VRI"}
VRI_KEYS = {"/Type", "/Cert", "/OCSP", "/CRL", "/TU", "/TS"}


def page_leaves(resolver: HistoricalResolver) -> Iterable[Ref]:
    """The page objects of a revision, in order."""
    root = resolver(resolver.trailer_view.raw_get("/Root").reference)
    stack = [(resolve(resolver, raw_entry(root, "/Pages")), 0)]
    while stack:  # depth-first, kids in order
        node, depth = stack.pop()
        if depth > 32 or not isinstance(node, generic.DictionaryObject):
            continue
        kids = resolve(resolver, raw_entry(node, "/Kids"))
        if not isinstance(kids, generic.ArrayObject):
            continue
        pending = []
        for kid in kids.iterate():
            if not isinstance(kid, generic.IndirectObject):
                continue
            obj = resolver(kid.reference)
            if isinstance(obj, generic.DictionaryObject) and obj.get("/Type") == "/Pages":
                pending.append((obj, depth + 1))
            else:
                if pending:
                    stack.extend(reversed(pending))
                    pending = []
                yield kid.reference
        stack.extend(reversed(pending))


def content_refs(resolver: HistoricalResolver, page: generic.PdfObject) -> set[Ref]:
    if not isinstance(page, generic.DictionaryObject):
        return set()
    raw = raw_entry(page, "/Contents")
    refs = {raw.reference} if isinstance(raw, generic.IndirectObject) else set()
    parts = resolve(resolver, raw)
    if isinstance(parts, generic.ArrayObject):
        refs |= {c.reference for c in parts.iterate() if isinstance(c, generic.IndirectObject)}
    return refs


NOT_VALIDATION_DATA = Text(
    "文档安全存储中含有验证数据以外的内容",
    "the document security store holds something other than validation data",
)


def dss_refs(
    resolver: HistoricalResolver, dss_raw: object, problems: list[Text], written: set[Ref]
) -> set[Ref]:
    """Every object the DSS is made of: the dictionary, its arrays, VRI entries and their streams.

    Only objects this revision writes are opened (the rest were checked when they were written),
    so a DSS that grows over decades of renewals costs little per revision.
    """
    refs: set[Ref] = set()
    if dss_raw is None:
        return refs
    if isinstance(dss_raw, generic.IndirectObject):
        refs.add(dss_raw.reference)
    dss = resolve(resolver, dss_raw)
    if not isinstance(dss, generic.DictionaryObject):
        problems.append(
            Text("文档安全存储（DSS）不是字典", "the document security store is not a dictionary")
        )
        return refs
    if set(dss) - DSS_KEYS:
        extra = sorted(set(dss) - DSS_KEYS)
        problems.append(
            Text(
                f"文档安全存储（DSS）含有 {'、'.join(extra)}",
                f"the document security store carries {', '.join(extra)}",
            )
        )
    for key in ("/Certs", "/OCSPs", "/CRLs"):
        collect_streams(resolver, raw_entry(dss, key), refs, problems, written)
    vri_raw = raw_entry(dss, "/VRI")
    if isinstance(vri_raw, generic.IndirectObject):
        refs.add(vri_raw.reference)
    vri = resolve(resolver, vri_raw) if vri_raw is not None else None
    if isinstance(vri, generic.DictionaryObject):
        for key in vri:
            entry_raw = vri.raw_get(key)
            if isinstance(entry_raw, generic.IndirectObject):
                refs.add(entry_raw.reference)
                if entry_raw.reference not in written:
                    continue
            entry = resolve(resolver, entry_raw)
            if not isinstance(entry, generic.DictionaryObject) or set(entry) - VRI_KEYS:
                problems.append(
                    Text(
                        "文档安全存储的一个 VRI 条目不是验证数据",
                        "a VRI entry of the document security store is not validation data",
                    )
                )
                continue
            for sub in ("/Cert", "/OCSP", "/CRL"):
                collect_streams(resolver, raw_entry(entry, sub), refs, problems, written)
            ts = raw_entry(entry, "/TS")
            if isinstance(ts, generic.IndirectObject):
                refs.add(ts.reference)
    elif vri is not None:
        problems.append(
            Text("文档安全存储的 VRI 不是字典", "the document security store's VRI is not a dictionary")
        )
    return refs


def collect_streams(
    resolver: HistoricalResolver, raw: object, refs: set[Ref], problems: list[Text], written: set[Ref]
) -> None:
    if raw is None:
        return
    if isinstance(raw, generic.IndirectObject):
        refs.add(raw.reference)
    array = resolve(resolver, raw)
    if not isinstance(array, generic.ArrayObject):
        problems.append(NOT_VALIDATION_DATA)
        return
    for item in array.iterate():
        if not isinstance(item, generic.IndirectObject) or (
            item.reference in written and not isinstance(resolver(item.reference), generic.StreamObject)
        ):
            problems.append(NOT_VALIDATION_DATA)
            return
        refs.add(item.reference)


def xmp_facts(stream: generic.PdfObject) -> object:
    """The XMP packet's properties without the ones every update rewrites; unparseable XMP is its
    bytes (so any change to it counts)."""
    if not isinstance(stream, generic.StreamObject):
        return ("not a stream", plain(stream))
    try:
        roots = parse_xmp(io.BytesIO(stream.data))
    except ValueError:
        return ("bytes", hashlib.sha256(stream.data).hexdigest())
    return [{name: value for name, value in root if name not in XMP_BOOKKEEPING} for root in roots]


def invisible(widget: generic.DictionaryObject) -> bool:
    rect = widget.get("/Rect")
    if not isinstance(rect, generic.ArrayObject) or len(rect) != 4:
        return False
    try:
        x1, y1, x2, y2 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return False
    return x1 == x2 or y1 == y2


_EMPTY: generic.DictionaryObject = generic.DictionaryObject()  # type: ignore[no-untyped-call]


def as_dict(obj: generic.PdfObject | None) -> generic.DictionaryObject:
    return obj if isinstance(obj, generic.DictionaryObject) else _EMPTY


def raw_entry(d: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    return d.raw_get(key) if key in d else None


def resolve(resolver: HistoricalResolver, raw: object) -> generic.PdfObject | None:
    if isinstance(raw, generic.IndirectObject):
        obj: generic.PdfObject = resolver(raw.reference)
        return obj
    return raw if isinstance(raw, generic.PdfObject) else None


def plain_entry(d: generic.DictionaryObject, key: str) -> object:
    return plain(raw_entry(d, key))


def plain(obj: object, depth: int = 0) -> object:
    """A comparable value of a direct object: references by number, streams by their bytes."""
    if depth > 64:
        raise ValueError("objects nested too deeply")
    if obj is None:
        return None
    if isinstance(obj, generic.IndirectObject):
        return ("ref", obj.idnum, obj.generation)
    if isinstance(obj, generic.StreamObject):
        body = {k: plain(obj.raw_get(k), depth=depth + 1) for k in obj}
        return ("stream", tuple(sorted(body.items())), hashlib.sha256(obj.encoded_data).hexdigest())
    if isinstance(obj, generic.DictionaryObject):
        return ("dict", tuple(sorted((k, plain(obj.raw_get(k), depth=depth + 1)) for k in obj)))
    if isinstance(obj, generic.ArrayObject):
        return ("array", tuple(plain(x, depth=depth + 1) for x in obj.iterate()))
    if isinstance(obj, generic.NullObject):
        return None
    return (type(obj).__name__, str(obj) if not isinstance(obj, bytes) else obj.hex())
