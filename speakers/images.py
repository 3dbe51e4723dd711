"""Avatar uploads: check that a file is a real, reasonable image, then re-encode it.

Nothing the visitor uploaded is stored as it came: we decode it with Pillow (bounded in
bytes and pixels), turn it upright, drop every byte of metadata, and write square JPEGs
of fixed sizes under names we generate.
"""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
AVATAR_SIZE = 400
THUMB_SIZE = 96

# Pillow refuses anything far larger by itself; we refuse earlier, with our own message.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class ProcessedAvatar:
    avatar: ContentFile
    thumb: ContentFile


def _square_jpeg(image: Image.Image, size: int) -> bytes:
    square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        # 16- and 32-bit greyscale: scale down to 8 bits instead of clipping to white.
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def process_avatar(upload) -> ProcessedAvatar:
    """Validate an uploaded file and return the re-encoded avatar and thumbnail.

    Raises ValidationError with a message for people, never anything else.
    """
    size = getattr(upload, "size", None)
    if size is None or size > MAX_BYTES:
        raise ValidationError(
            _("This file is too large: an avatar may be at most 5 MB."), code="too_large"
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("This file is too large: an avatar may be at most 5 MB."), code="too_large"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow warns (rather than refuses) between 1x and 2x MAX_IMAGE_PIXELS; where
        # warnings are errors, that warning arrives here as an exception.
        raise ValidationError(
            _("This image has too many pixels: at most 40 megapixels."), code="too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."),
            code="not_an_image",
        ) from None
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(kind)s images are not accepted. Upload a JPEG, PNG, WebP or GIF."),
            params={"kind": kind or "This kind of"},
            code="bad_format",
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("This image has too many pixels: at most 40 megapixels."), code="too_many_pixels"
        )
    if width < 1 or height < 1:
        raise ValidationError(_("This image is empty."), code="empty")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # first frame of an animation
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _to_rgb(upright)
            avatar = _square_jpeg(rgb, AVATAR_SIZE)
            thumb = _square_jpeg(rgb, THUMB_SIZE)
    except Image.DecompressionBombError:
        raise ValidationError(
            _("This image has too many pixels: at most 40 megapixels."), code="too_many_pixels"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ValidationError(
            _("This image is damaged or incomplete and cannot be read."), code="damaged"
        ) from None
    name = uuid.uuid4().hex
    return ProcessedAvatar(
        avatar=ContentFile(avatar, name=f"{name}.jpg"),
        thumb=ContentFile(thumb, name=f"{name}-{THUMB_SIZE}.jpg"),
    )
