"""Avatar uploads: checked, re-encoded, stripped; refused with a message and nothing stored."""

import functools
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from speakers.images import MAX_BYTES, process_avatar
from speakers.models import Speaker
from tests.factories import EventFactory, SpeakerFactory, make_cast

RED, BLUE, WHITE = (220, 20, 20), (20, 20, 220), (255, 255, 255)


# --- building test files ----------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo(size=(300, 200), color=RED) -> Image.Image:
    return Image.new("RGB", size, color)


def halves(size=(200, 200), top=RED, bottom=BLUE) -> Image.Image:
    image = Image.new("RGB", size, top)
    image.paste(bottom, (0, size[1] // 2, size[0], size[1]))
    return image


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def huge_png(width: int, height: int) -> bytes:
    """A real, decodable 1-bit greyscale PNG: a few kB on disk, gigantic in memory."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(row * height, 9))
        + png_chunk(b"IEND", b"")
    )


def jpeg_with_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Model] = "Model 7"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    data = encode(halves(), "JPEG", exif=exif, quality=95)
    with Image.open(io.BytesIO(data)) as check:  # the test file really carries GPS
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def animated_gif() -> bytes:
    frames = [photo((120, 120), RED), photo((120, 120), BLUE), photo((120, 120), WHITE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    with Image.open(io.BytesIO(data)) as check:
        assert check.n_frames == 3
    return data


def palette_png_with_transparency() -> bytes:
    """Left half transparent (palette index 0), right half red (index 1)."""
    image = Image.new("P", (200, 200), 0)
    image.putpalette([0, 0, 0, *RED] + [0, 0, 0] * 254)
    image.paste(1, (100, 0, 200, 200))
    data = encode(image, "PNG", transparency=0)
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "P" and "transparency" in check.info
    return data


def sixteen_bit_png() -> bytes:
    data = encode(Image.new("I;16", (64, 64), 32768), "PNG")
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "I;16"
    return data


def cmyk_jpeg() -> bytes:
    data = encode(Image.new("CMYK", (120, 80), (0, 200, 200, 0)), "JPEG")
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "CMYK"
    return data


def truncated_jpeg() -> bytes:
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    data = encode(noisy, "JPEG", quality=95)
    return data[: len(data) // 2]


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" '
    b'height="100"><script>alert(1)</script><rect width="100" height="100"/></svg>'
)
HTML_TAIL = b"<html><body><script>alert(document.cookie)</script></body></html>"


def near(pixel, color, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def opened(content) -> Image.Image:
    content.seek(0)
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


# --- accepted uploads -------------------------------------------------------------------

ACCEPTED = {
    "jpeg": lambda: upload(encode(photo(), "JPEG")),
    "png": lambda: upload(encode(photo(), "PNG"), "me.png", "image/png"),
    "webp": lambda: upload(encode(photo(), "WEBP"), "me.webp", "image/webp"),
    "gif": lambda: upload(encode(photo(), "GIF"), "me.gif", "image/gif"),
    "tall": lambda: upload(encode(photo((100, 900)), "JPEG")),
    "tiny": lambda: upload(encode(photo((5, 5)), "PNG"), "tiny.png", "image/png"),
}


@pytest.mark.parametrize("kind", ACCEPTED)
def test_accepted_images_become_square_jpegs_with_generated_names(kind):
    processed = process_avatar(ACCEPTED[kind]())
    avatar, thumb = opened(processed.avatar), opened(processed.thumb)
    assert (avatar.format, avatar.size, avatar.mode) == ("JPEG", (400, 400), "RGB")
    assert (thumb.format, thumb.size, thumb.mode) == ("JPEG", (96, 96), "RGB")
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", processed.avatar.name)
    assert processed.thumb.name == processed.avatar.name.replace(".jpg", "-96.jpg")
    assert near(avatar.getpixel((200, 200)), RED)


def test_every_upload_gets_a_fresh_name():
    data = encode(photo(), "PNG")
    names = {process_avatar(upload(data, "me.png")).avatar.name for _ in range(3)}
    assert len(names) == 3
    assert not any("me" in name for name in names)


def test_exif_and_gps_are_stripped_and_orientation_is_applied():
    # Orientation 6: the camera was turned; show it rotated 90° clockwise, so the red
    # top half ends up on the right.
    processed = process_avatar(upload(jpeg_with_exif(orientation=6), "IMG_0001.jpg"))
    for content in (processed.avatar, processed.thumb):
        content.seek(0)
        data = content.read()
        assert b"Exif" not in data
        assert b"SpyCam" not in data
        image = opened(content)
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info and "icc_profile" not in image.info
    avatar = opened(processed.avatar)
    assert near(avatar.getpixel((350, 200)), RED)
    assert near(avatar.getpixel((50, 200)), BLUE)


def test_without_orientation_the_picture_stays_as_it_was():
    avatar = opened(process_avatar(upload(jpeg_with_exif(orientation=1))).avatar)
    assert near(avatar.getpixel((200, 50)), RED)
    assert near(avatar.getpixel((200, 350)), BLUE)


def test_cmyk_jpeg_is_accepted_as_rgb():
    avatar = opened(process_avatar(upload(cmyk_jpeg())).avatar)
    assert avatar.mode == "RGB" and avatar.size == (400, 400)


def test_sixteen_bit_png_is_scaled_not_clipped():
    avatar = opened(process_avatar(upload(sixteen_bit_png(), "deep.png", "image/png")).avatar)
    # Mid-grey in 16 bits stays mid-grey, rather than turning white or black.
    assert near(avatar.getpixel((200, 200)), (128, 128, 128), tolerance=8)


def test_animated_gif_keeps_its_first_frame():
    avatar = opened(process_avatar(upload(animated_gif(), "anim.gif", "image/gif")).avatar)
    assert near(avatar.getpixel((200, 200)), RED)


def test_transparent_palette_png_is_put_on_white():
    png = palette_png_with_transparency()
    avatar = opened(process_avatar(upload(png, "logo.png", "image/png")).avatar)
    assert near(avatar.getpixel((50, 200)), WHITE)
    assert near(avatar.getpixel((350, 200)), RED)


def test_a_png_html_polyglot_is_re_encoded_without_the_html():
    data = encode(photo(), "PNG") + HTML_TAIL
    processed = process_avatar(upload(data, "polyglot.png", "image/png"))
    for content in (processed.avatar, processed.thumb):
        content.seek(0)
        stored = content.read()
        assert stored.startswith(b"\xff\xd8")  # a JPEG, not the uploaded bytes
        assert b"<html" not in stored.lower() and b"<script" not in stored.lower()


# --- refused uploads ------------------------------------------------------------------

REFUSED = {
    "text-named-png": (
        lambda: upload(b"just some text, honest\n" * 20, "photo.png", "image/png"),
        "not an image we can read",
    ),
    "svg": (lambda: upload(SVG, "logo.svg", "image/svg+xml"), "not an image we can read"),
    "svg-named-png": (lambda: upload(SVG, "logo.png", "image/png"), "not an image we can read"),
    "html": (lambda: upload(HTML_TAIL, "me.jpg"), "not an image we can read"),
    "empty": (lambda: upload(b"", "me.jpg"), "not an image we can read"),
    "bomb-100-megapixels": (
        lambda: upload(huge_png(10_000, 10_000), "bomb.png", "image/png"),
        "too many pixels",
    ),
    "bomb-49-megapixels": (
        lambda: upload(huge_png(7_000, 7_000), "bomb.png", "image/png"),
        "too many pixels",
    ),
    "bomb-wide": (
        lambda: upload(huge_png(1_000_000, 50), "wide.png", "image/png"),
        "too many pixels",
    ),
    "truncated-jpeg": (lambda: upload(truncated_jpeg()), "damaged or incomplete"),
    "over-5-mb": (
        lambda: upload(encode(photo(), "PNG") + b"\0" * MAX_BYTES, "big.png", "image/png"),
        "at most 5 MB",
    ),
    "bmp": (lambda: upload(encode(photo(), "BMP"), "me.bmp", "image/bmp"), "BMP images"),
    "tiff": (lambda: upload(encode(photo(), "TIFF"), "me.tiff", "image/tiff"), "TIFF images"),
    "ico-named-png": (
        lambda: upload(encode(photo((32, 32)), "ICO"), "me.png", "image/png"),
        "ICO images",
    ),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_refused_uploads_raise_a_validation_error_with_a_clear_message(kind):
    make, message = REFUSED[kind]
    with pytest.raises(ValidationError) as excinfo:
        process_avatar(make())
    [text] = excinfo.value.messages
    assert message in text
    if "images are not accepted" in text or "not an image" in text:
        assert "JPEG, PNG, WebP or GIF" in text


def test_a_file_just_under_5_mb_is_read_not_refused_for_its_size():
    data = encode(photo(), "PNG") + b"\0" * (MAX_BYTES - 50_000)
    assert len(data) < MAX_BYTES
    assert opened(process_avatar(upload(data, "big.png", "image/png")).avatar).size == (400, 400)


# --- through the admin: stored only when accepted -----------------------------------


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def organizer(db):
    return make_cast(EventFactory(slug="avatar-conf")).owner  # the shared cast


@pytest.fixture
def admin_client(client, organizer):
    client.force_login(organizer)
    return client


def speaker_form(speaker: Speaker, **changes) -> dict:
    data = {
        "event": speaker.event_id,
        "name": speaker.name,
        "slug": speaker.slug,
        "job_title": speaker.job_title,
        "company": speaker.company,
        "bio": speaker.bio,
        "email": speaker.email,
        "website": speaker.website,
        "mastodon": speaker.mastodon,
        "github": speaker.github,
        "linkedin": speaker.linkedin,
    }
    data.update(changes)
    return data


def test_admin_upload_stores_re_encoded_files_under_generated_names(admin_client, organizer):
    speaker = SpeakerFactory(event=organizer.memberships.get().event, name="Photo Person")
    data = jpeg_with_exif(orientation=6)
    response = admin_client.post(
        reverse("admin:speakers_speaker_change", args=[speaker.pk]),
        speaker_form(speaker, avatar=upload(data, "IMG_0001_home_address.jpg")),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    speaker.refresh_from_db()
    event_id = speaker.event_id
    assert re.fullmatch(rf"avatars/{event_id}/[0-9a-f]{{32}}\.jpg", speaker.avatar.name)
    assert re.fullmatch(rf"avatars/{event_id}/[0-9a-f]{{32}}-96\.jpg", speaker.avatar_thumb.name)
    files = media_files()
    assert {p.name for p in files} == {
        Path(speaker.avatar.name).name,
        Path(speaker.avatar_thumb.name).name,
    }
    for path in files:
        stored = path.read_bytes()
        assert b"Exif" not in stored and b"SpyCam" not in stored
        assert b"IMG_0001" not in stored
    with Image.open(speaker.avatar.path) as avatar, Image.open(speaker.avatar_thumb.path) as thumb:
        assert (avatar.format, avatar.size) == ("JPEG", (400, 400))
        assert (thumb.format, thumb.size) == ("JPEG", (96, 96))
    # The change list shows the thumbnail.
    listing = admin_client.get(reverse("admin:speakers_speaker_changelist"))
    assert speaker.avatar_thumb.url in listing.content.decode()


def test_admin_add_with_avatar(admin_client, organizer):
    event = organizer.memberships.get().event
    blank = Speaker(event=event, name="New Person", slug="new-person")
    response = admin_client.post(
        reverse("admin:speakers_speaker_add"),
        speaker_form(blank, avatar=upload(encode(photo(), "WEBP"), "me.webp", "image/webp")),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    speaker = Speaker.objects.get(event=event, slug="new-person")
    assert speaker.avatar.name.startswith(f"avatars/{event.pk}/")
    assert len(media_files()) == 2


@pytest.mark.parametrize("kind", REFUSED)
def test_admin_refuses_bad_uploads_and_stores_nothing(admin_client, organizer, kind):
    make, message = REFUSED[kind]
    if kind == "empty":
        message = "The submitted file is empty."  # Django's own check comes first
    speaker = SpeakerFactory(event=organizer.memberships.get().event, name="Before Name")
    before = Speaker.objects.filter(pk=speaker.pk).values().get()
    response = admin_client.post(
        reverse("admin:speakers_speaker_change", args=[speaker.pk]),
        speaker_form(speaker, name="After Name", avatar=make()),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["avatar"])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Speaker.objects.filter(pk=speaker.pk).values().get() == before
    assert media_files() == []


def test_admin_refuses_bad_upload_on_add_and_creates_nothing(admin_client, organizer):
    event = organizer.memberships.get().event
    blank = Speaker(event=event, name="Never Stored", slug="never-stored")
    response = admin_client.post(
        reverse("admin:speakers_speaker_add"),
        speaker_form(blank, avatar=upload(SVG, "me.svg", "image/svg+xml")),
    )
    assert response.status_code == 200
    assert "avatar" in response.context["adminform"].form.errors
    assert not Speaker.objects.filter(slug="never-stored").exists()
    assert media_files() == []


def test_admin_keeps_the_avatar_when_saving_without_a_new_file(admin_client, organizer):
    speaker = SpeakerFactory(event=organizer.memberships.get().event)
    url = reverse("admin:speakers_speaker_change", args=[speaker.pk])
    admin_client.post(url, speaker_form(speaker, avatar=upload(encode(photo(), "PNG"))))
    speaker.refresh_from_db()
    kept = speaker.avatar.name
    assert kept
    response = admin_client.post(url, speaker_form(speaker, company="New Co"))
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert (speaker.avatar.name, speaker.company) == (kept, "New Co")
    # Clearing removes both pictures from the speaker.
    response = admin_client.post(url, speaker_form(speaker, **{"avatar-clear": "on"}))
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert not speaker.avatar and not speaker.avatar_thumb


@pytest.mark.django_db
def test_replacing_or_removing_an_avatar_deletes_the_old_files(django_capture_on_commit_callbacks):
    speaker = SpeakerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        speaker.set_avatar(process_avatar(upload(encode(photo(), "JPEG"))))
        speaker.save()
    first = [speaker.avatar.name, speaker.avatar_thumb.name]
    storage = speaker.avatar.storage
    assert all(storage.exists(name) for name in first)

    with django_capture_on_commit_callbacks(execute=True):
        speaker.set_avatar(process_avatar(upload(encode(photo(color=BLUE), "JPEG"))))
        speaker.save()
    second = [speaker.avatar.name, speaker.avatar_thumb.name]
    assert not any(storage.exists(name) for name in first)
    assert all(storage.exists(name) for name in second)

    with django_capture_on_commit_callbacks(execute=True):
        speaker.set_avatar(None)
        speaker.save()
    assert not speaker.avatar and not speaker.avatar_thumb
    assert not any(storage.exists(name) for name in second)
