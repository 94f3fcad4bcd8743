"""R-ACCEPT 5: what may follow the last seal (VERIFY.md §7), checked object by object.

After the authority's seal only long-term validation material may be added: the document security
store (/DSS with its certificates, OCSP answers, CRLs and VRI entries), document time stamps with
their invisible widgets, and the bookkeeping such updates write (xref and object streams, /Info
/ModDate and /Producer, the XMP ModifyDate, MetadataDate and Producer). pyHanko rates more as
LTA_UPDATES (any /Info or XMP change, AcroForm /NeedAppearances /DA /DR, a new invisible signature
field: VERIFY.md §3), so every object each later revision writes is compared here with the one the
revision before it held, through pyHanko's historical resolvers. Each revision costs what it
writes (plus its DSS index), so a tail of decades of renewals stays linear.
"""

import hashlib
import io
from collections.abc import Iterable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.metadata import model as xmp_model
from pyhanko.pdf_utils.metadata.xmp_xml import parse_xmp
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

Ref = generic.Reference

_INFO_BOOKKEEPING = {"/ModDate", "/Producer"}
_XMP_BOOKKEEPING = {
    xmp_model.ExpandedName(xmp_model.NS["xmp"], "ModifyDate"),
    xmp_model.ExpandedName(xmp_model.NS["xmp"], "MetadataDate"),
    xmp_model.ExpandedName(xmp_model.NS["pdf"], "Producer"),
}
_DSS_KEYS = {"/Type", "/Certs", "/OCSPs", "/CRLs", "/VRI"}
_VRI_KEYS = {"/Type", "/Cert", "/OCSP", "/CRL", "/TU", "/TS"}
_CATALOG_LTA_KEYS = {"/DSS", "/AcroForm"}
"""Catalog entries a B-LTA update may change: /DSS freely, /AcroForm only by /Fields growing."""


def tail_findings(reader: PdfFileReader, signed_revision: int) -> list[str]:
    """What the revisions after `signed_revision` (0-based) change beyond validation material, in
    plain words; empty when the tail is clean."""
    findings: list[str] = []
    resolver, dss_owned = reader.get_historical_resolver(signed_revision), None
    for rev in range(signed_revision + 1, reader.xrefs.total_revisions):
        # each revision's view is the next one's "before", so the growing DSS is read once per revision
        revision = _Revision(reader, rev, resolver, dss_owned)
        for finding in revision.findings():
            if finding not in findings:
                findings.append(finding)
        resolver, dss_owned = revision.new, revision.dss_owned
    return findings


class _Revision:
    """One update after the last seal, against the revision before it."""

    def __init__(
        self, reader: PdfFileReader, rev: int, old: HistoricalResolver, old_dss: set[Ref] | None
    ) -> None:
        self.reader, self.rev = reader, rev
        self.old, self.new = old, reader.get_historical_resolver(rev)
        self.old_dss = old_dss
        """What the previous revision's DSS was made of, when it was computed there."""
        self.dss_owned: set[Ref] = set()
        self.written: set[Ref] = set(reader.xrefs.explicit_refs_in_revision(rev))
        self.allowed: set[Ref] = set()
        self.found: list[str] = []

    def existed(self, ref: Ref) -> bool:
        return self.reader.xrefs.get_historical_ref(ref, self.rev - 1) is not None

    def fail(self, what: str) -> None:
        self.found.append(f"{what} after the last seal")

    def findings(self) -> list[str]:
        if self.reader.xrefs.refs_freed_in_revision(self.rev):
            self.fail("objects of the sealed document were deleted")
        old_root_ref = self.old.trailer_view.raw_get("/Root")
        new_root_ref = self.new.trailer_view.raw_get("/Root")
        if not isinstance(new_root_ref, generic.IndirectObject) or _plain(old_root_ref) != _plain(
            new_root_ref
        ):
            self.fail("the document catalog was replaced")
            return self.found
        old_root, new_root = self.old(old_root_ref.reference), self.new(new_root_ref.reference)
        self.allowed.add(new_root_ref.reference)
        self._catalog(old_root, new_root)
        self._info()
        self._metadata(old_root, new_root)
        new_fields = self._acroform(old_root, new_root)
        self._dss(old_root, new_root)
        widgets = self._timestamp_fields(new_fields)
        self._pages(widgets)
        self._streams()
        reported = bool(self.found)
        for ref in sorted(self.written - self.allowed, key=lambda r: (r.idnum, r.generation)):
            if self.existed(ref):
                self.fail(self._describe(ref))
            elif not reported:  # new objects are usually the parts of a change already named
                self.fail(f"object {ref.idnum}, which is not validation data, was added")
        return self.found

    def _catalog(self, old: generic.DictionaryObject, new: generic.DictionaryObject) -> None:
        for key in sorted(set(old) | set(new)):
            if key in _CATALOG_LTA_KEYS or key == "/Metadata":
                continue
            if _plain_entry(old, key) != _plain_entry(new, key):
                self.fail(f"the document catalog ({key[1:]}) was changed")

    def _info(self) -> None:
        old_ref = self.old.trailer_view.raw_get("/Info") if "/Info" in self.old.trailer_view else None
        new_ref = self.new.trailer_view.raw_get("/Info") if "/Info" in self.new.trailer_view else None
        old = _resolve(self.old, old_ref)
        new = _resolve(self.new, new_ref)
        if isinstance(new_ref, generic.IndirectObject):
            if _plain(old_ref) != _plain(new_ref) and self.existed(new_ref.reference):
                self.fail("the document information was replaced by another object")
                return
            self.allowed.add(new_ref.reference)
        old_d = _as_dict(old)
        new_d = _as_dict(new)
        changed = [
            k[1:]
            for k in sorted(set(old_d) | set(new_d))
            if k not in _INFO_BOOKKEEPING and _plain_entry(old_d, k) != _plain_entry(new_d, k)
        ]
        if changed:
            self.fail(f"the document information ({', '.join(changed)}) was changed")

    def _metadata(self, old_root: generic.DictionaryObject, new_root: generic.DictionaryObject) -> None:
        old_ref, new_ref = _raw(old_root, "/Metadata"), _raw(new_root, "/Metadata")
        if _plain(old_ref) != _plain(new_ref):
            self.fail("the XMP metadata was replaced")
            return
        if not isinstance(new_ref, generic.IndirectObject) or new_ref.reference not in self.written:
            return
        self.allowed.add(new_ref.reference)
        before, after = self.old(new_ref.reference), self.new(new_ref.reference)
        if _plain(before) == _plain(after):  # rewritten as it was (pyHanko does at every update)
            return
        if _xmp_facts(before) != _xmp_facts(after):
            self.fail("the XMP metadata was changed")

    def _acroform(self, old_root: generic.DictionaryObject, new_root: generic.DictionaryObject) -> list[Ref]:
        """Check the form dictionary; return the fields it gained."""
        old_raw, new_raw = _raw(old_root, "/AcroForm"), _raw(new_root, "/AcroForm")
        if isinstance(old_raw, generic.IndirectObject) and _plain(old_raw) != _plain(new_raw):
            self.fail("the form dictionary (AcroForm) was replaced")
            return []
        if isinstance(new_raw, generic.IndirectObject):
            self.allowed.add(new_raw.reference)
        old = _resolve(self.old, old_raw)
        new = _resolve(self.new, new_raw)
        old_d = _as_dict(old)
        new_d = _as_dict(new)
        for key in sorted(set(old_d) | set(new_d)):
            if key != "/Fields" and _plain_entry(old_d, key) != _plain_entry(new_d, key):
                self.fail(f"the form dictionary (AcroForm {key}) was changed")
        added = self._grown_array(old_d, new_d, "/Fields", "the form's field list (AcroForm Fields)")
        return added

    def _grown_array(
        self, old: generic.DictionaryObject, new: generic.DictionaryObject, key: str, what: str
    ) -> list[Ref]:
        """`new[key]` must be `old[key]` plus references appended; return those."""
        raw_old, raw_new = _raw(old, key), _raw(new, key)
        if isinstance(raw_new, generic.IndirectObject):
            if isinstance(raw_old, generic.IndirectObject) and _plain(raw_old) != _plain(raw_new):
                self.fail(f"{what} was replaced")
                return []
            if raw_new.reference in self.written:
                self.allowed.add(raw_new.reference)
        before = _resolve(self.old, raw_old) if raw_old is not None else generic.ArrayObject()
        after = _resolve(self.new, raw_new) if raw_new is not None else generic.ArrayObject()
        if not isinstance(before, list) or not isinstance(after, list):
            self.fail(f"{what} was changed")
            return []
        kept = [_plain(x) for x in before.iterate()]
        now = list(after.iterate())
        if [_plain(x) for x in now[: len(kept)]] != kept:
            self.fail(f"{what} was changed")
            return []
        added = []
        for entry in now[len(kept) :]:
            if not isinstance(entry, generic.IndirectObject):
                self.fail(f"{what} was changed")
                return []
            added.append(entry.reference)
        return added

    def _timestamp_fields(self, fields: Iterable[Ref]) -> set[Ref]:
        """New fields must be document time stamps with an invisible widget; return the widgets."""
        widgets: set[Ref] = set()
        for ref in fields:
            field = self.new(ref)
            name = str(field.get("/T", "?")) if isinstance(field, generic.DictionaryObject) else "?"
            if self.existed(ref) or not isinstance(field, generic.DictionaryObject):
                self.fail(f"a form field ({name}) was moved into the form")
                continue
            if field.get("/FT") != "/Sig":
                self.fail(f"a form field ({name}) was added")
                continue
            value = _raw(field, "/V")
            sig = _resolve(self.new, value)
            if not isinstance(value, generic.IndirectObject):
                self.fail(f"a new signature field ({name}) was added")
                continue
            is_stamp = (
                not self.existed(value.reference)
                and isinstance(sig, generic.DictionaryObject)
                and sig.get("/Type") == "/DocTimeStamp"
                and sig.get("/SubFilter") == "/ETSI.RFC3161"
            )
            if not is_stamp:
                self.fail(f"a new signature field ({name}) was added")
                continue
            if "/Kids" in field or field.get("/Subtype") != "/Widget" or not _invisible(field):
                self.fail(f"the document time stamp's field ({name}) is visible")
                continue
            self.allowed.update({ref, value.reference})
            self.allowed.update(self._new_appearances(field))
            widgets.add(ref)
        return widgets

    def _new_appearances(self, widget: generic.DictionaryObject) -> set[Ref]:
        ap = _resolve(self.new, _raw(widget, "/AP"))
        refs: set[Ref] = set()
        if isinstance(ap, generic.DictionaryObject):
            for key in ap:
                entry = ap.raw_get(key)
                if isinstance(entry, generic.IndirectObject) and not self.existed(entry.reference):
                    refs.add(entry.reference)
        return refs

    def _pages(self, widgets: set[Ref]) -> None:
        """A page may change only by its /Annots gaining the time stamps' widgets."""
        for ref in self.written - self.allowed:
            if not self.existed(ref):
                continue
            old, new = self.old(ref), self.new(ref)
            if not (isinstance(old, generic.DictionaryObject) and old.get("/Type") == "/Page"):
                continue
            page = self._page_number(ref)
            if not isinstance(new, generic.DictionaryObject) or new.get("/Type") != "/Page":
                self.fail(f"page {page} was replaced")
                continue
            self.allowed.add(ref)
            for key in sorted(set(old) | set(new)):
                if key == "/Annots" or _plain_entry(old, key) == _plain_entry(new, key):
                    continue
                self.fail(
                    f"page {page}'s content was changed"
                    if key == "/Contents"
                    else f"page {page} ({key[1:]}) was changed"
                )
            for annot in self._grown_array(old, new, "/Annots", f"page {page}'s annotations"):
                if annot not in widgets:
                    self.fail(f"an annotation was added to page {page}")

    def _dss(self, old_root: generic.DictionaryObject, new_root: generic.DictionaryObject) -> None:
        old_owned = self.old_dss
        if old_owned is None:
            old_owned = _dss_refs(self.old, _raw(old_root, "/DSS"), [], self.written)
        problems: list[str] = []
        new_owned = self.dss_owned = _dss_refs(self.new, _raw(new_root, "/DSS"), problems, self.written)
        for problem in problems:
            self.fail(problem)
        for ref in new_owned & self.written:
            if not self.existed(ref) or ref in old_owned:
                self.allowed.add(ref)

    def _streams(self) -> None:
        """New cross-reference and object streams are bookkeeping."""
        for ref in self.written - self.allowed:
            if self.existed(ref):
                continue
            obj = self.new(ref)
            if isinstance(obj, generic.StreamObject) and obj.get("/Type") in ("/XRef", "/ObjStm"):
                self.allowed.add(ref)

    def _describe(self, ref: Ref) -> str:
        """An existing object rewritten: name it the way a reader of the document would."""
        for number, page_ref in enumerate(_page_leaves(self.old), 1):
            if ref in _content_refs(self.old, self.old(page_ref)):
                return f"page {number}'s content was changed"
        obj = self.new(ref)
        kind = obj.get("/Type") if isinstance(obj, generic.DictionaryObject) else None
        if kind == "/Annot" or (
            isinstance(obj, generic.DictionaryObject) and "/Subtype" in obj and "/Rect" in obj
        ):
            name = obj.get("/T")
            return f"an annotation or form field{f' ({name})' if name else ''} was changed"
        if isinstance(obj, generic.StreamObject):
            return f"a stream of the sealed document (object {ref.idnum}) was changed"
        return f"an object of the sealed document (object {ref.idnum}) was changed"

    def _page_number(self, ref: Ref) -> int | str:
        for number, leaf in enumerate(_page_leaves(self.new), 1):
            if leaf == ref:
                return number
        return f"(object {ref.idnum})"


def _page_leaves(resolver: HistoricalResolver) -> Iterable[Ref]:
    """The page objects of a revision, in order."""
    root = resolver(resolver.trailer_view.raw_get("/Root").reference)
    stack = [(_resolve(resolver, _raw(root, "/Pages")), 0)]
    while stack:  # depth-first, kids in order
        node, depth = stack.pop()
        if depth > 32 or not isinstance(node, generic.DictionaryObject):
            continue
        kids = _resolve(resolver, _raw(node, "/Kids"))
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


def _content_refs(resolver: HistoricalResolver, page: generic.PdfObject) -> set[Ref]:
    if not isinstance(page, generic.DictionaryObject):
        return set()
    raw = _raw(page, "/Contents")
    refs = {raw.reference} if isinstance(raw, generic.IndirectObject) else set()
    parts = _resolve(resolver, raw)
    if isinstance(parts, generic.ArrayObject):
        refs |= {c.reference for c in parts.iterate() if isinstance(c, generic.IndirectObject)}
    return refs


def _dss_refs(
    resolver: HistoricalResolver, dss_raw: object, problems: list[str], written: set[Ref]
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
    dss = _resolve(resolver, dss_raw)
    if not isinstance(dss, generic.DictionaryObject):
        problems.append("the document security store is not a dictionary")
        return refs
    if set(dss) - _DSS_KEYS:
        problems.append(f"the document security store carries {', '.join(sorted(set(dss) - _DSS_KEYS))}")
    for key in ("/Certs", "/OCSPs", "/CRLs"):
        _collect_streams(resolver, _raw(dss, key), refs, problems, written)
    vri_raw = _raw(dss, "/VRI")
    if isinstance(vri_raw, generic.IndirectObject):
        refs.add(vri_raw.reference)
    vri = _resolve(resolver, vri_raw) if vri_raw is not None else None
    if isinstance(vri, generic.DictionaryObject):
        for key in vri:
            entry_raw = vri.raw_get(key)
            if isinstance(entry_raw, generic.IndirectObject):
                refs.add(entry_raw.reference)
                if entry_raw.reference not in written:
                    continue
            entry = _resolve(resolver, entry_raw)
            if not isinstance(entry, generic.DictionaryObject) or set(entry) - _VRI_KEYS:
                problems.append("a VRI entry of the document security store is not validation data")
                continue
            for sub in ("/Cert", "/OCSP", "/CRL"):
                _collect_streams(resolver, _raw(entry, sub), refs, problems, written)
            ts = _raw(entry, "/TS")
            if isinstance(ts, generic.IndirectObject):
                refs.add(ts.reference)
    elif vri is not None:
        problems.append("the document security store's VRI is not a dictionary")
    return refs


def _collect_streams(
    resolver: HistoricalResolver, raw: object, refs: set[Ref], problems: list[str], written: set[Ref]
) -> None:
    if raw is None:
        return
    if isinstance(raw, generic.IndirectObject):
        refs.add(raw.reference)
    array = _resolve(resolver, raw)
    if not isinstance(array, generic.ArrayObject):
        problems.append("the document security store holds something other than validation data")
        return
    for item in array.iterate():
        if not isinstance(item, generic.IndirectObject) or (
            item.reference in written and not isinstance(resolver(item.reference), generic.StreamObject)
        ):
            problems.append("the document security store holds something other than validation data")
            return
        refs.add(item.reference)


def _xmp_facts(stream: generic.PdfObject) -> object:
    """The XMP packet's properties without the ones every update rewrites; unparseable XMP is its
    bytes (so any change to it counts)."""
    if not isinstance(stream, generic.StreamObject):
        return ("not a stream", _plain(stream))
    try:
        roots = parse_xmp(io.BytesIO(stream.data))
    except ValueError:
        return ("bytes", hashlib.sha256(stream.data).hexdigest())
    return [{name: value for name, value in root if name not in _XMP_BOOKKEEPING} for root in roots]


def _invisible(widget: generic.DictionaryObject) -> bool:
    rect = widget.get("/Rect")
    if not isinstance(rect, generic.ArrayObject) or len(rect) != 4:
        return False
    try:
        x1, y1, x2, y2 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return False
    return x1 == x2 or y1 == y2


_EMPTY: generic.DictionaryObject = generic.DictionaryObject()  # type: ignore[no-untyped-call]


def _as_dict(obj: generic.PdfObject | None) -> generic.DictionaryObject:
    return obj if isinstance(obj, generic.DictionaryObject) else _EMPTY


def _raw(d: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    return d.raw_get(key) if key in d else None


def _resolve(resolver: HistoricalResolver, raw: object) -> generic.PdfObject | None:
    if isinstance(raw, generic.IndirectObject):
        obj: generic.PdfObject = resolver(raw.reference)
        return obj
    return raw if isinstance(raw, generic.PdfObject) else None


def _plain_entry(d: generic.DictionaryObject, key: str) -> object:
    return _plain(_raw(d, key))


def _plain(obj: object, depth: int = 0) -> object:
    """A comparable value of a direct object: references by number, streams by their bytes."""
    if depth > 64:
        raise ValueError("objects nested too deeply")
    if obj is None:
        return None
    if isinstance(obj, generic.IndirectObject):
        return ("ref", obj.idnum, obj.generation)
    if isinstance(obj, generic.StreamObject):
        body = {k: _plain(obj.raw_get(k), depth=depth + 1) for k in obj}
        return ("stream", tuple(sorted(body.items())), hashlib.sha256(obj.encoded_data).hexdigest())
    if isinstance(obj, generic.DictionaryObject):
        return ("dict", tuple(sorted((k, _plain(obj.raw_get(k), depth=depth + 1)) for k in obj)))
    if isinstance(obj, generic.ArrayObject):
        return ("array", tuple(_plain(x, depth=depth + 1) for x in obj.iterate()))
    if isinstance(obj, generic.NullObject):
        return None
    return (type(obj).__name__, str(obj) if not isinstance(obj, bytes) else obj.hex())


__all__ = ["tail_findings"]
