"""Uploads, from the admin form to the browser: what is stored is a JPEG we made, under
a name we made, served as image/jpeg that the browser may not sniff into anything else;
a hostile file is a form error, never a 500 and never a stored file."""

import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from speakers.models import Speaker
from tests.factories import EventFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

DEV_URLCONF = "tests.hardening.dev_urls"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    # Where a traversal in the upload's name would land if it were believed.
    settings.MEDIA_ROOT = tmp_path / "site" / "media"


@pytest.fixture
def dev_server(settings, monkeypatch):
    """config/urls.py as `runserver` loads it, with DEBUG on: media served by Django."""
    settings.DEBUG = True
    spec = importlib.util.spec_from_file_location(
        DEV_URLCONF, Path(django_settings.BASE_DIR) / "config" / "urls.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, DEV_URLCONF, module)
    settings.ROOT_URLCONF = DEV_URLCONF
    return Client()


@pytest.fixture
def admin(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def speaker(db):
    return SpeakerFactory(event=EventFactory(slug="mediacon"), name="Pic Person")


def image_bytes(fmt: str, size=(120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def form(speaker: Speaker, upload=None) -> dict:
    data = {
        "event": speaker.event_id, "name": speaker.name, "slug": speaker.slug,
        "job_title": speaker.job_title, "company": speaker.company, "bio": speaker.bio,
        "email": "", "website": "", "mastodon": "", "github": "", "linkedin": "",
    }  # fmt: skip
    if upload is not None:
        data["avatar"] = upload
    return data


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def post_avatar(admin, speaker, name: str, data: bytes, content_type: str):
    return admin.post(
        reverse("admin:speakers_speaker_change", args=[speaker.pk]),
        form(speaker, SimpleUploadedFile(name, data, content_type=content_type)),
    )


ACCEPTED = [
    ("../../evil.php.png", "PNG", "image/png"),
    ("x.html", "JPEG", "text/html"),
    ("..\\..\\win.gif", "GIF", "image/gif"),
    ("photo.jpg\x00.html", "WEBP", "image/webp"),
    ("ünï cödé <b>.jpeg", "JPEG", "image/jpeg"),
]


@pytest.mark.parametrize(("name", "fmt", "content_type"), ACCEPTED)
def test_an_avatar_is_stored_as_a_jpeg_under_a_name_we_made(
    admin, speaker, settings, tmp_path, name, fmt, content_type
):
    response = post_avatar(admin, speaker, name, image_bytes(fmt), content_type)
    assert response.status_code == 302, response.context["adminform"].form.errors
    speaker.refresh_from_db()
    folder = f"avatars/{speaker.event_id}/"
    assert re.fullmatch(rf"{folder}[0-9a-f]{{32}}\.jpg", speaker.avatar.name)
    assert re.fullmatch(rf"{folder}[0-9a-f]{{32}}-96\.jpg", speaker.avatar_thumb.name)
    # Exactly these two files, both inside MEDIA_ROOT, both JPEG by their bytes.
    media = Path(settings.MEDIA_ROOT)
    stored = files_under(media)
    assert stored == sorted([media / speaker.avatar.name, media / speaker.avatar_thumb.name])
    assert files_under(tmp_path) == stored  # nothing landed beside or above MEDIA_ROOT
    for path in stored:
        data = path.read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9"
        with Image.open(path) as image:
            assert image.format == "JPEG"
    for part in ("evil", "php", "html", "win", "photo", "cödé"):
        assert part not in speaker.avatar.name


def test_the_dev_server_serves_avatars_as_jpeg_that_cannot_be_sniffed(admin, speaker, dev_server):
    post_avatar(admin, speaker, "x.html", image_bytes("JPEG"), "text/html")
    speaker.refresh_from_db()
    for field in (speaker.avatar, speaker.avatar_thumb):
        assert field.url.startswith("/media/avatars/")
        response = dev_server.get(field.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == Path(field.path).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/media/../config/settings.py",
        "/media/%2e%2e/%2e%2e/config/settings.py",
        "/media/..%2f..%2fconfig%2fsettings.py",
        "/media//etc/passwd",
        "/media/avatars/",
    ],
)
def test_the_dev_server_serves_nothing_outside_media_root(dev_server, path):
    response = dev_server.get(path)
    assert response.status_code in (400, 404)  # 400: Django's SuspiciousFileOperation
    settings_source = (Path(django_settings.BASE_DIR) / "config" / "settings.py").read_bytes()
    assert settings_source[:200] not in response.content
    assert b"root:x:0:0" not in response.content


POLYGLOT = (
    b"GIF89a/*\x00\x00\x00\x00*/=1;<html><body><script>alert(document.cookie)</script>"
    b"</body></html>"
)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
HOSTILE = {
    "text-named-png": ("avatar.png", b"just some text, not an image\n" * 20, "image/png"),
    "svg": ("avatar.svg", SVG, "image/svg+xml"),
    "svg-named-png": ("avatar.png", SVG, "image/png"),
    "html-polyglot": ("avatar.gif", POLYGLOT, "image/gif"),
    "html": ("avatar.jpg", b"<!doctype html><script>alert(1)</script>", "image/jpeg"),
    "zero-bytes": ("avatar.png", b"", "image/png"),
    "six-mb": ("avatar.png", image_bytes("PNG") + b"\0" * (6 * 1024 * 1024), "image/png"),
    "png-header-only": ("avatar.png", image_bytes("PNG")[:40], "image/png"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_file_is_a_form_error_and_nothing_is_stored(admin, speaker, tmp_path, kind):
    name, data, content_type = HOSTILE[kind]
    before = Speaker.objects.filter(pk=speaker.pk).values().get()
    response = post_avatar(admin, speaker, name, data, content_type)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["avatar"]
    assert errors["avatar"][0] in response.content.decode().replace("&#x27;", "'")
    assert Speaker.objects.filter(pk=speaker.pk).values().get() == before
    assert files_under(tmp_path / "site") == []


def test_a_hostile_file_on_a_new_speaker_creates_nobody(admin, speaker, tmp_path):
    blank = Speaker(event=speaker.event, name="Never Made", slug="never-made")
    response = admin.post(
        reverse("admin:speakers_speaker_add"),
        form(blank, SimpleUploadedFile("x.png", POLYGLOT, content_type="image/png")),
    )
    assert response.status_code == 200
    assert "avatar" in response.context["adminform"].form.errors
    assert not Speaker.objects.filter(slug="never-made").exists()
    assert files_under(tmp_path / "site") == []
