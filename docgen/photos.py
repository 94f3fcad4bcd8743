"""Applicant photos: each is decoded in full before a job exists, so a file that is not an image,
or one cut off in copying, is refused with its row rather than failing (or printing a glitched
photo) in the middle of issuing.
"""

import warnings
from pathlib import Path

from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image as DocxImage
from PIL import Image, ImageFile, UnidentifiedImageError

PHOTO_FORMATS = ("JPEG", "PNG")
"""What the certificate template embeds (python-docx reads these without conversion)."""
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MIN_PHOTO_SIDE = 100
"""Pixels: below this a 30 mm wide photo prints blurred past recognition."""
MAX_PHOTO_PIXELS = 40_000_000
"""Width times height: larger photos only cost time and memory (and may be decompression bombs)."""


def photo_problem(path: Path) -> str | None:
    """Why the photo at `path` cannot go on a certificate, or None. Every pixel is decoded with
    truncated images refused (Pillow's LOAD_TRUNCATED_IMAGES, a process-wide switch, is left False)."""
    size = path.stat().st_size
    if size > MAX_PHOTO_BYTES:
        mb = MAX_PHOTO_BYTES // 1024 // 1024
        return f"the file is {size / 1024 / 1024:.1f} MB, at most {mb} MB: export it smaller"
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format not in PHOTO_FORMATS:
                    return f"a {image.format} image: save it as JPEG or PNG"
                width, height = image.size
                if width * height > MAX_PHOTO_PIXELS:
                    most = f"at most {MAX_PHOTO_PIXELS:,} pixels"
                    return f"{width}×{height} pixels is too large ({most}): export it smaller"
                if min(width, height) < MIN_PHOTO_SIDE:
                    return f"{width}×{height} pixels is too small (at least {MIN_PHOTO_SIDE} on each side)"
                image.load()
        DocxImage.from_file(str(path))  # the reader the certificate template embeds it with
    except UnrecognizedImageError:
        return "the certificate cannot embed this image: save it again as JPEG or PNG"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"the image is too large to decode (at most {MAX_PHOTO_PIXELS:,} pixels): export it smaller"
    except UnidentifiedImageError:
        return "not an image (not a JPEG or PNG file): save the photo as JPEG or PNG"
    except OSError as e:
        if "truncated" in str(e):
            return "the image is cut off (truncated): export it again"
        return "the image data is damaged and cannot be decoded: export it again"
    except (SyntaxError, ValueError):  # Pillow's plugins raise these for malformed headers and chunks
        return "the image data is damaged and cannot be decoded: export it again"
    return None
