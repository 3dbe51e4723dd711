"""Shared by the API tests: the shared conference (tests/factories.conference) with its
extras (an empty room, an unscheduled session, speakers in no public session, a second
published event and an unpublished one), its organizers and API tokens.

The main event, CloudNativeCon 2030, runs November 2–4, 2030 in America/Los_Angeles:
daylight saving time ends on the 3rd, so its sessions carry both "-07:00" and "-08:00".
Dan Kohn (the opening keynote, the panel's moderator) has an avatar.
"""

import datetime as dt
import io
import zoneinfo
from types import SimpleNamespace

import pytest
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from speakers.images import process_avatar
from tests.factories import (
    SECRET_DOMAIN,
    MembershipFactory,
    SharedRows,
    UserFactory,
    conference,
)

__all__ = ["LA", "SECRET_DOMAIN", "png_bytes"]

LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


class Upload(io.BytesIO):
    """Just enough of an uploaded file for process_avatar."""

    @property
    def size(self) -> int:
        return len(self.getvalue())


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(scope="module")
def _conference(django_db_setup, django_db_blocker):
    shared = SharedRows(
        django_db_blocker, lambda: conference(start=dt.date(2030, 11, 2), days=3, extras=True)
    )
    yield shared
    shared.close()


@pytest.fixture
def conf(request, _conference) -> SimpleNamespace:
    """The shared conference, built once per module (tests/factories.SharedRows); Dan
    Kohn's avatar is stored by each test, into its own MEDIA_ROOT."""
    built = _conference.for_test(request)
    built.dan.set_avatar(process_avatar(Upload(png_bytes())))
    built.dan.save()
    return built


def token_for(user) -> str:
    return Token.objects.create(user=user).key


@pytest.fixture
def people(conf, cast):
    """Organizers of each event (the main event's from the shared cast: its owner, and
    the stranger, who organizes ``other``) and a superuser, each with an API token."""
    org_a, org_b = cast.owner, cast.stranger
    org_hidden = MembershipFactory(event=conf.hidden).user
    admin = UserFactory(is_staff=True, is_superuser=True)
    return SimpleNamespace(
        org_a=org_a, org_b=org_b, org_hidden=org_hidden, admin=admin,
        a=token_for(org_a), b=token_for(org_b), hidden=token_for(org_hidden),
        superuser=token_for(admin),
    )  # fmt: skip


@pytest.fixture
def as_user(api):
    """An API client that sends ``Authorization: Token <key>``."""

    def client(token: str) -> APIClient:
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api

    return client
