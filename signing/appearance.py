"""Visible seal appearances: the seal image with the signer's Chinese name and the date."""

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image
from pyhanko import stamp
from pyhanko.pdf_utils import layout, text
from pyhanko.pdf_utils.font import opentype
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.pdf_utils.xref import ObjectStream


@lru_cache(maxsize=4)
def _font_bytes(font_path: str) -> bytes:
    with open(font_path, "rb") as fh:
        return fh.read()


class InMemoryFontFactory(opentype.GlyphAccumulatorFactory):
    """pyHanko's factory opens the font file on every signature and never closes it; this one
    reads the font once per process and hands pyHanko an in-memory copy."""

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: ObjectStream | None = None
    ) -> opentype.GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]  # untyped in pyHanko
        return opentype.GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


@lru_cache(maxsize=8)
def _font_factory(font_path: str, size: int) -> opentype.GlyphAccumulatorFactory:
    return InMemoryFontFactory(font_path, font_size=size, bcp47_lang_code="zh-Hans")


def seal_style(seal_image: bytes, font_path: Path) -> stamp.TextStampStyle:
    """A stamp style drawing `seal_image` with the seal name and date over its lower part.

    The stamp text uses the parameter `seal_name`, supplied at signing time.
    """
    image = Image.open(io.BytesIO(seal_image))
    image.load()
    return stamp.TextStampStyle(
        stamp_text="%(seal_name)s\n%(ts)s",
        timestamp_format="%Y-%m-%d",
        background=PdfImage(image, writer=None),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        border_width=0,
        text_box_style=text.TextBoxStyle(font=_font_factory(str(font_path), 7), text_color=(0.55, 0, 0)),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(bottom=1),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )
