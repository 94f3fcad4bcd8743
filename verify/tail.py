"""R-ACCEPT 5: what may follow the last seal, checked object by object.

The rule and its reasons: docs/verification-threats.md, "The acceptance rule and the revision audit".

After the authority's seal only long-term validation material may be added: the document security
store (/DSS with its certificates, OCSP answers, CRLs and VRI entries), document time stamps with
their invisible widgets, and the bookkeeping such updates write (xref and object streams, /Info
/ModDate and /Producer, the XMP ModifyDate, MetadataDate and Producer). pyHanko rates more as
LTA_UPDATES (any /Info or XMP change, AcroForm /NeedAppearances /DA /DR, a new invisible signature
field: docs/verification-threats.md, "What pyHanko's own validation lets through"), so every object
each later revision writes is compared here with the one the revision before it held, through
pyHanko's historical resolvers. Each revision costs what it writes (plus its DSS index), so a tail
of decades of renewals stays linear.
"""

from collections.abc import Iterable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

from verify.tailobjects import (
    Ref,
    as_dict,
    content_refs,
    dss_refs,
    invisible,
    page_leaves,
    plain,
    plain_entry,
    raw_entry,
    resolve,
    xmp_facts,
)
from verify.text import Text

_INFO_BOOKKEEPING = {"/ModDate", "/Producer"}
_CATALOG_LTA_KEYS = {"/DSS", "/AcroForm"}
"""Catalog entries a B-LTA update may change: /DSS freely, /AcroForm only by /Fields growing."""


def tail_findings(reader: PdfFileReader, signed_revision: int) -> list[Text]:
    """What the revisions after `signed_revision` (0-based) change beyond validation material, in
    plain words; empty when the tail is clean."""
    findings: list[Text] = []
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
        self.found: list[Text] = []

    def existed(self, ref: Ref) -> bool:
        return self.reader.xrefs.get_historical_ref(ref, self.rev - 1) is not None

    def fail(self, what: Text) -> None:
        self.found.append(Text(f"最后一个签章之后，{what.zh}", f"{what.en} after the last seal"))

    def findings(self) -> list[Text]:
        if self.reader.xrefs.refs_freed_in_revision(self.rev):
            self.fail(Text("盖章文件中的对象被删除", "objects of the sealed document were deleted"))
        old_root_ref = self.old.trailer_view.raw_get("/Root")
        new_root_ref = self.new.trailer_view.raw_get("/Root")
        if not isinstance(new_root_ref, generic.IndirectObject) or plain(old_root_ref) != plain(new_root_ref):
            self.fail(Text("文档目录被替换", "the document catalog was replaced"))
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
                self.fail(
                    Text(
                        f"新增了不属于验证数据的对象（对象 {ref.idnum}）",
                        f"object {ref.idnum}, which is not validation data, was added",
                    )
                )
        return self.found

    def _catalog(self, old: generic.DictionaryObject, new: generic.DictionaryObject) -> None:
        for key in sorted(set(old) | set(new)):
            if key in _CATALOG_LTA_KEYS or key == "/Metadata":
                continue
            if plain_entry(old, key) != plain_entry(new, key):
                self.fail(
                    Text(f"文档目录（{key[1:]}）被修改", f"the document catalog ({key[1:]}) was changed")
                )

    def _info(self) -> None:
        old_ref = self.old.trailer_view.raw_get("/Info") if "/Info" in self.old.trailer_view else None
        new_ref = self.new.trailer_view.raw_get("/Info") if "/Info" in self.new.trailer_view else None
        old = resolve(self.old, old_ref)
        new = resolve(self.new, new_ref)
        if isinstance(new_ref, generic.IndirectObject):
            if plain(old_ref) != plain(new_ref) and self.existed(new_ref.reference):
                self.fail(
                    Text(
                        "文档信息被替换为其他对象", "the document information was replaced by another object"
                    )
                )
                return
            self.allowed.add(new_ref.reference)
        old_d = as_dict(old)
        new_d = as_dict(new)
        changed = [
            k[1:]
            for k in sorted(set(old_d) | set(new_d))
            if k not in _INFO_BOOKKEEPING and plain_entry(old_d, k) != plain_entry(new_d, k)
        ]
        if changed:
            self.fail(
                Text(
                    f"文档信息（{'、'.join(changed)}）被修改",
                    f"the document information ({', '.join(changed)}) was changed",
                )
            )

    def _metadata(self, old_root: generic.DictionaryObject, new_root: generic.DictionaryObject) -> None:
        old_ref, new_ref = raw_entry(old_root, "/Metadata"), raw_entry(new_root, "/Metadata")
        if plain(old_ref) != plain(new_ref):
            self.fail(Text("XMP 元数据被替换", "the XMP metadata was replaced"))
            return
        if not isinstance(new_ref, generic.IndirectObject) or new_ref.reference not in self.written:
            return
        self.allowed.add(new_ref.reference)
        before, after = self.old(new_ref.reference), self.new(new_ref.reference)
        if plain(before) == plain(after):  # rewritten as it was (pyHanko does at every update)
            return
        if xmp_facts(before) != xmp_facts(after):
            self.fail(Text("XMP 元数据被修改", "the XMP metadata was changed"))

    def _acroform(self, old_root: generic.DictionaryObject, new_root: generic.DictionaryObject) -> list[Ref]:
        """Check the form dictionary; return the fields it gained."""
        old_raw, new_raw = raw_entry(old_root, "/AcroForm"), raw_entry(new_root, "/AcroForm")
        if isinstance(old_raw, generic.IndirectObject) and plain(old_raw) != plain(new_raw):
            self.fail(Text("表单字典（AcroForm）被替换", "the form dictionary (AcroForm) was replaced"))
            return []
        if isinstance(new_raw, generic.IndirectObject):
            self.allowed.add(new_raw.reference)
        old = resolve(self.old, old_raw)
        new = resolve(self.new, new_raw)
        old_d = as_dict(old)
        new_d = as_dict(new)
        for key in sorted(set(old_d) | set(new_d)):
            if key != "/Fields" and plain_entry(old_d, key) != plain_entry(new_d, key):
                self.fail(
                    Text(
                        f"表单字典（AcroForm {key}）被修改",
                        f"the form dictionary (AcroForm {key}) was changed",
                    )
                )
        fields = Text("表单的字段列表（AcroForm Fields）", "the form's field list (AcroForm Fields)")
        added = self._grown_array(old_d, new_d, "/Fields", fields)
        return added

    def _grown_array(
        self, old: generic.DictionaryObject, new: generic.DictionaryObject, key: str, what: Text
    ) -> list[Ref]:
        """`new[key]` must be `old[key]` plus references appended; return those."""
        raw_old, raw_new = raw_entry(old, key), raw_entry(new, key)
        if isinstance(raw_new, generic.IndirectObject):
            if isinstance(raw_old, generic.IndirectObject) and plain(raw_old) != plain(raw_new):
                self.fail(Text(f"{what.zh}被替换", f"{what.en} was replaced"))
                return []
            if raw_new.reference in self.written:
                self.allowed.add(raw_new.reference)
        before = resolve(self.old, raw_old) if raw_old is not None else generic.ArrayObject()
        after = resolve(self.new, raw_new) if raw_new is not None else generic.ArrayObject()
        if not isinstance(before, list) or not isinstance(after, list):
            self.fail(Text(f"{what.zh}被修改", f"{what.en} was changed"))
            return []
        kept = [plain(x) for x in before.iterate()]
        now = list(after.iterate())
        if [plain(x) for x in now[: len(kept)]] != kept:
            self.fail(Text(f"{what.zh}被修改", f"{what.en} was changed"))
            return []
        added = []
        for entry in now[len(kept) :]:
            if not isinstance(entry, generic.IndirectObject):
                self.fail(Text(f"{what.zh}被修改", f"{what.en} was changed"))
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
                self.fail(
                    Text(f"表单字段（{name}）被移入表单", f"a form field ({name}) was moved into the form")
                )
                continue
            if field.get("/FT") != "/Sig":
                self.fail(Text(f"新增了表单字段（{name}）", f"a form field ({name}) was added"))
                continue
            value = raw_entry(field, "/V")
            sig = resolve(self.new, value)
            if not isinstance(value, generic.IndirectObject):
                self.fail(Text(f"新增了签名字段（{name}）", f"a new signature field ({name}) was added"))
                continue
            is_stamp = (
                not self.existed(value.reference)
                and isinstance(sig, generic.DictionaryObject)
                and sig.get("/Type") == "/DocTimeStamp"
                and sig.get("/SubFilter") == "/ETSI.RFC3161"
            )
            if not is_stamp:
                self.fail(Text(f"新增了签名字段（{name}）", f"a new signature field ({name}) was added"))
                continue
            if "/Kids" in field or field.get("/Subtype") != "/Widget" or not invisible(field):
                self.fail(
                    Text(
                        f"文档时间戳的字段（{name}）是可见的",
                        f"the document time stamp's field ({name}) is visible",
                    )
                )
                continue
            self.allowed.update({ref, value.reference})
            self.allowed.update(self._new_appearances(field))
            widgets.add(ref)
        return widgets

    def _new_appearances(self, widget: generic.DictionaryObject) -> set[Ref]:
        ap = resolve(self.new, raw_entry(widget, "/AP"))
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
                self.fail(Text(f"{page.zh}被替换", f"{page.en} was replaced"))
                continue
            self.allowed.add(ref)
            for key in sorted(set(old) | set(new)):
                if key == "/Annots" or plain_entry(old, key) == plain_entry(new, key):
                    continue
                self.fail(
                    Text(f"{page.zh}的内容被修改", f"{page.en}'s content was changed")
                    if key == "/Contents"
                    else Text(f"{page.zh}（{key[1:]}）被修改", f"{page.en} ({key[1:]}) was changed")
                )
            for annot in self._grown_array(
                old, new, "/Annots", Text(f"{page.zh}的批注", f"{page.en}'s annotations")
            ):
                if annot not in widgets:
                    self.fail(Text(f"{page.zh}新增了批注", f"an annotation was added to {page.en}"))

    def _dss(self, old_root: generic.DictionaryObject, new_root: generic.DictionaryObject) -> None:
        old_owned = self.old_dss
        if old_owned is None:
            old_owned = dss_refs(self.old, raw_entry(old_root, "/DSS"), [], self.written)
        problems: list[Text] = []
        new_owned = self.dss_owned = dss_refs(self.new, raw_entry(new_root, "/DSS"), problems, self.written)
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

    def _describe(self, ref: Ref) -> Text:
        """An existing object rewritten: name it the way a reader of the document would."""
        for number, page_ref in enumerate(page_leaves(self.old), 1):
            if ref in content_refs(self.old, self.old(page_ref)):
                return Text(f"第 {number} 页的内容被修改", f"page {number}'s content was changed")
        obj = self.new(ref)
        kind = obj.get("/Type") if isinstance(obj, generic.DictionaryObject) else None
        if kind == "/Annot" or (
            isinstance(obj, generic.DictionaryObject) and "/Subtype" in obj and "/Rect" in obj
        ):
            name = obj.get("/T")
            return Text(
                f"批注或表单字段{f'（{name}）' if name else ''}被修改",
                f"an annotation or form field{f' ({name})' if name else ''} was changed",
            )
        if isinstance(obj, generic.StreamObject):
            return Text(
                f"盖章文件中的一个数据流（对象 {ref.idnum}）被修改",
                f"a stream of the sealed document (object {ref.idnum}) was changed",
            )
        return Text(
            f"盖章文件中的一个对象（对象 {ref.idnum}）被修改",
            f"an object of the sealed document (object {ref.idnum}) was changed",
        )

    def _page_number(self, ref: Ref) -> Text:
        for number, leaf in enumerate(page_leaves(self.new), 1):
            if leaf == ref:
                return Text(f"第 {number} 页", f"page {number}")
        return Text(f"对象 {ref.idnum} 所在的页", f"page (object {ref.idnum})")


__all__ = ["tail_findings"]
