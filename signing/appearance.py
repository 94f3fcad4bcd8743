"""Visible seal appearances: the seal image with the signer's Chinese name and the date."""

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from PIL import Image
from pyhanko import stamp
from pyhanko.pdf_utils import content, generic, layout, text
from pyhanko.pdf_utils.font import opentype
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter, PdfFileWriter
from pyhanko.pdf_utils.xref import ObjectStream


@lru_cache(maxsize=4)
def _font_bytes(font_path: str) -> bytes:
    with open(font_path, "rb") as fh:
        return fh.read()


STAMP_DIGITS = "0123456789- "
"""Characters of the date line under each seal (an ISO date); any other character of the date
given is added to the font too."""


@lru_cache(maxsize=32)
def _subset_bytes(font_path: str, chars: frozenset[str]) -> bytes:
    """The font cut down to `chars`, once per process: pyHanko parses and subsets the whole CJK font
    (5 MB here) on every signature otherwise, about 0.5 s each (docs/signing.md, "What a seal
    appearance costs")."""
    font = TTFont(io.BytesIO(_font_bytes(font_path)))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class InMemoryFontFactory(opentype.GlyphAccumulatorFactory):
    """A factory over an in-memory font cut to the characters a seal prints.

    pyHanko's own factory opens the font file on every signature and never closes it, and parses
    the whole font each time; this one hands pyHanko a small subset built once per process.
    """

    chars: frozenset[str] = frozenset()

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: ObjectStream | None = None
    ) -> opentype.GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]  # untyped in pyHanko
        return opentype.GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_subset_bytes(self.font_file, self.chars)),
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


@lru_cache(maxsize=8)
def _font_factory(font_path: str, size: int, chars: frozenset[str]) -> opentype.GlyphAccumulatorFactory:
    factory = InMemoryFontFactory(font_path, font_size=size, bcp47_lang_code="zh-Hans")
    object.__setattr__(factory, "chars", chars)  # the factory is a frozen dataclass
    return factory


def _drawn_style(seal_image: bytes, font_path: str, seal_name: str, date: str) -> stamp.TextStampStyle:
    """The seal image with the seal name and `date` under it, drawn by pyHanko's text stamp."""
    image = Image.open(io.BytesIO(seal_image))
    image.load()
    return stamp.TextStampStyle(
        stamp_text="%(seal_name)s\n%(seal_date)s" if date else "%(seal_name)s",
        background=PdfImage(image, writer=None),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        border_width=0,
        text_box_style=text.TextBoxStyle(
            font=_font_factory(font_path, 7, frozenset(seal_name + STAMP_DIGITS + date)),
            text_color=(0.55, 0, 0),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(bottom=1),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


@lru_cache(maxsize=64)
def _drawn_once(
    seal_image: bytes, font_path: str, seal_name: str, date: str, size: tuple[float, float]
) -> bytes:
    """A one-page PDF of the seal's box `size` bearing just the seal's appearance, drawn once per
    process for each seal, date and box: drawing it costs the most of a seal after the signature
    itself (embedding the image, subsetting and writing the font: docs/performance.md), and every
    certificate of a session bears the same seals under the same dates."""
    width, height = size
    writer = PdfFileWriter()  # type: ignore[no-untyped-call]  # untyped in pyHanko
    params = {"seal_name": seal_name, "seal_date": date}
    box = layout.BoxConstraints(width=width, height=height)
    style = _drawn_style(seal_image, font_path, seal_name, date)
    drawn = stamp.TextStamp(writer, style, text_params=params, box=box).register()
    objects: Any = generic  # pyHanko's PDF objects are untyped
    resources = objects.DictionaryObject(
        {objects.NameObject("/XObject"): objects.DictionaryObject({objects.NameObject("/S"): drawn})}
    )
    _add_page(writer, size, b"/S Do", resources)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # untyped in pyHanko
    return out.getvalue()


class _DrawnSeal(content.PdfContent):
    """The page of `_drawn_once`, imported into the signed document as a form XObject."""

    def __init__(self, page_pdf: bytes) -> None:
        super().__init__()
        self.page_pdf = page_pdf

    def render(self) -> bytes:
        # A reader per seal: a reader parses lazily from its stream, so one is not shared across
        # threads; parsing this one-page file costs a fraction of a millisecond.
        reader = PdfFileReader(io.BytesIO(self.page_pdf))
        xobject = self._ensure_writer.import_page_as_xobject(reader, page_ix=0)
        self.resources.xobject["/Seal"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/Seal Do"


def seal_style(
    seal_image: bytes,
    font_path: Path,
    seal_name: str,
    date: str,
    box: tuple[float, float, float, float],
) -> stamp.StaticStampStyle:
    """A stamp style drawing `seal_image` with the seal name and `date` under it, fitted to `box`
    (x1, y1, x2, y2), the seal field's rectangle.

    The date is the document's, given by the caller: pyHanko's own `%(ts)s` is the moment of
    signing as a UTC date, another day than the one the document prints beside the seal (and the
    previous Beijing day from 16:00 UTC). The font carries just the characters of the name and date.
    The appearance is drawn once per process and box and imported into each document it seals.
    """
    size = (abs(box[2] - box[0]), abs(box[3] - box[1]))
    page = _drawn_once(seal_image, str(font_path), seal_name, date, size)
    return stamp.StaticStampStyle(
        background=_DrawnSeal(page),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(),  # drawn to the field's size already
        ),
        border_width=0,
    )


def _add_page(
    writer: PdfFileWriter, size: tuple[float, float], contents: bytes = b"", resources: Any = None
) -> None:
    """Add a page of `size` points drawing `contents` with `resources` to `writer`."""
    width, height = size
    objects: Any = generic  # pyHanko's PDF objects are untyped
    media_box = objects.ArrayObject([objects.FloatObject(v) for v in (0, 0, width, height)])
    page = objects.DictionaryObject(
        {
            objects.NameObject("/Type"): objects.NameObject("/Page"),
            objects.NameObject("/MediaBox"): media_box,
            objects.NameObject("/Resources"): resources or objects.DictionaryObject(),
            objects.NameObject("/Contents"): writer.add_object(generic.StreamObject(stream_data=contents)),
        }
    )
    writer.insert_page(page)  # type: ignore[no-untyped-call]  # untyped in pyHanko


def text_overlay(
    line: str,
    font_path: Path,
    page_size: tuple[float, float],
    at: Sequence[tuple[float, float]],
    size: int = 9,
    leading: int | None = None,
) -> bytes:
    """A one-page PDF of `page_size` points bearing only `line` at each (x, y) of `at` (the lower left
        of pyHanko's text box, which has a 10-point margin; lines `leading` points apart, by default
    `size`), to merge onto other pages with pypdf: real
        text in the font cut to `line`'s characters, so a reader extracts it as well as sees it.
        (Stamped onto a page directly, pyHanko loses the XObject when the page's resources are a direct
        dictionary, as pypdf writes them.)"""
    writer = PdfFileWriter()  # type: ignore[no-untyped-call]  # untyped in pyHanko
    _add_page(writer, page_size)
    style = stamp.TextStampStyle(
        stamp_text=line,
        border_width=0,
        background=None,
        text_box_style=text.TextBoxStyle(
            font=_font_factory(str(font_path), size, frozenset(line)),
            leading=leading,
        ),
    )
    for x, y in at:
        stamp.TextStamp(writer, style).apply(0, int(x), int(y))
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # untyped in pyHanko
    return out.getvalue()
