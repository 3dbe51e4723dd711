"""Personal agendas: finding the visitor's agenda, starring, feed tokens, merging.

Keys and tokens never rest in the database in the clear: the browser holds the agenda
key (HttpOnly cookie), the database its SHA-256; the feed token is an HMAC of a
random nonce under SECRET_KEY, and the database holds its SHA-256 for lookup.
"""

import base64
import hashlib
import secrets
from collections.abc import Callable
from functools import lru_cache
from html import escape
from itertools import combinations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import get_template
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from markupsafe import Markup

from events.models import Event
from lib.conditional import Personal
from lib.limits import client_ip, count_hit
from lib.sql import Statement

from .models import Agenda, AgendaItem, Session

COOKIE_PREFIX = "lineup_agenda_"
COOKIE_MAX_AGE = 60 * 60 * 24 * 400  # browsers cap cookies at about 400 days


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def cookie_name(event: Event) -> str:
    return f"{COOKIE_PREFIX}{event.pk}"


def find_agenda(request: HttpRequest, event: Event) -> Agenda | None:
    if request.user.is_authenticated:
        return Agenda.objects.filter(event=event, user=request.user).first()
    key = request.COOKIES.get(cookie_name(event))
    if not key or len(key) > 200:
        return None
    return Agenda.objects.filter(event=event, user=None, key_hash=digest(key)).first()


class AgendaRefused(Exception):
    """A star that cannot be taken; the message says why, for the visitor."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def get_or_create_agenda(
    request: HttpRequest, event: Event, response: HttpResponse | None = None
) -> tuple[Agenda, str | None]:
    """The visitor's agenda, created on first use (a star). Returns (agenda, new browser
    key). New anonymous agendas are limited per client address and hour: each is a row
    that nobody can clean up but its browser."""
    agenda = find_agenda(request, event)
    if agenda is not None:
        return agenda, None
    if request.user.is_authenticated:
        agenda = Agenda.objects.get_or_create(event=event, user=request.user)[0]
        return agenda, None
    if count_hit("agenda-new", client_ip(request), 3600) > settings.AGENDA_NEW_PER_HOUR:
        raise AgendaRefused(
            _("Too many new agendas from your network in the last hour; try again later."), 429
        )
    key = secrets.token_urlsafe(32)
    return Agenda.objects.create(event=event, key_hash=digest(key)), key


def set_agenda_cookie(response: HttpResponse, event: Event, key: str, *, secure: bool) -> None:
    response.set_cookie(
        cookie_name(event),
        key,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def star(agenda: Agenda, session: Session) -> None:
    """Star a session, up to AGENDA_MAX_STARS per agenda (a page personalizes every
    star: thousands of them made each of its pages take seconds)."""
    item = AgendaItem(agenda=agenda, session=session)
    item.remember(session)
    limit = settings.AGENDA_MAX_STARS
    try:
        with transaction.atomic():
            # One star at a time per agenda, so parallel requests cannot pass the cap.
            Agenda.objects.select_for_update().filter(pk=agenda.pk).exists()
            items = AgendaItem.objects.filter(agenda=agenda)
            if items.count() >= limit and not items.filter(session=session).exists():
                raise AgendaRefused(
                    _("Your agenda holds at most %(limit)d sessions: remove some first.")
                    % {"limit": limit},
                    400,
                )
            item.save()
    except IntegrityError:
        pass  # starred already (a double click, two tabs)
    agenda.save(update_fields=["updated_at"])


def unstar(agenda: Agenda, session: Session) -> None:
    AgendaItem.objects.filter(agenda=agenda, session=session).delete()
    agenda.save(update_fields=["updated_at"])


def starred_slugs(agenda: Agenda | None) -> set[str]:
    if agenda is None:
        return set()
    return set(
        AgendaItem.objects.filter(
            agenda=agenda, session__status__in=Session.PUBLIC_STATUSES
        ).values_list("session__slug", flat=True)
    )


def feed_token(agenda: Agenda) -> str:
    """The secret of the subscription URL, derived so it can be shown again later."""
    if not agenda.feed_nonce:
        rotate_feed(agenda)
    mac = salted_hmac("lineup.agenda.feed", f"{agenda.pk}:{agenda.feed_nonce}", algorithm="sha256")
    token = base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
    if agenda.feed_token_hash != digest(token):  # first use, or SECRET_KEY was rotated
        agenda.feed_token_hash = digest(token)
        agenda.save(update_fields=["feed_token_hash", "updated_at"])
    return token


def rotate_feed(agenda: Agenda) -> None:
    """Revoke the current subscription URL: a new nonce makes a new token."""
    agenda.feed_nonce = secrets.token_urlsafe(24)
    agenda.feed_token_hash = None
    agenda.save(update_fields=["feed_nonce", "feed_token_hash", "updated_at"])


# Calendar apps poll the feed hourly, each poll a 304 or a cached copy: the agenda is
# read with a statement compiled once (lib/sql.py), as the event is.
_AGENDA_COLUMNS = [f.attname for f in Agenda._meta.concrete_fields]
_BY_FEED_TOKEN = Statement(
    lambda event_id, token_hash: (
        Agenda.objects.filter(event_id=event_id, feed_token_hash=token_hash)
        .order_by("pk")
        .values_list(*_AGENDA_COLUMNS)[:1]
    ),
    int,
    str,
)


def agenda_by_feed_token(event: Event, token: str) -> Agenda | None:
    if not token or len(token) > 100:
        return None
    found = _BY_FEED_TOKEN.rows(event.pk, digest(token))
    return Agenda.from_db(DEFAULT_DB_ALIAS, _AGENDA_COLUMNS, found[0]) if found else None


def clashes(sessions: list[Session]) -> dict[int, list[Session]]:
    """For each starred session, the other starred sessions that overlap it."""
    found: dict[int, list[Session]] = {}
    timed = [s for s in sessions if s.starts_at and not s.is_cancelled]
    for a, b in combinations(sorted(timed, key=lambda s: s.starts_at), 2):
        if b.starts_at < a.ends_at and a.starts_at < b.ends_at:
            found.setdefault(a.pk, []).append(b)
            found.setdefault(b.pk, []).append(a)
    return found


@transaction.atomic
def merge_into_user(request: HttpRequest, user) -> list[Event]:
    """After sign-in: move the browser's anonymous agendas into the user's, losing nothing."""
    merged = []
    for name, key in request.COOKIES.items():
        if not name.startswith(COOKIE_PREFIX):
            continue
        anonymous = (
            Agenda.objects.select_related("event").filter(user=None, key_hash=digest(key)).first()
        )
        if anonymous is None:
            continue
        own = Agenda.objects.filter(event=anonymous.event, user=user).first()
        if own is None:
            anonymous.user = user
            anonymous.key_hash = None
            anonymous.save(update_fields=["user", "key_hash", "updated_at"])
        else:
            have = set(own.items.values_list("session_id", flat=True))
            anonymous.items.exclude(session_id__in=have).update(agenda=own)
            anonymous.delete()
            own.save(update_fields=["updated_at"])
        merged.append(anonymous.event)
    return merged


@lru_cache(maxsize=256)
def _agenda_url(event_slug: str, action: str) -> str:
    return reverse(f"agenda_{action}", args=[event_slug, "__session__"])


# Where a star button's URL and title go in its rendered template (no control character
# reaches a title or a slug: rows.py and the models clean them).
URL_MARK, TITLE_MARK = "\x00url\x00", "\x00title\x00"


@lru_cache(maxsize=64)
def _star_pattern(starred: bool, language: str | None, in_form: bool) -> str:
    """The star button's template rendered once per state and language, as a format
    string: every row then costs one ``str.format``, not a template render."""
    html = get_template("schedule/star_button.jinja", using="jinja2").render(
        {"url": URL_MARK, "title": TITLE_MARK, "starred": starred, "in_form": in_form}
    )
    html = html.replace("{", "{{").replace("}", "}}")
    return html.replace(URL_MARK, "{url}").replace(TITLE_MARK, "{title}")


def star_buttons(
    event_slug: str, starred: bool = False, *, in_form: bool = False
) -> Callable[[str, str], Markup]:
    """``star_button`` for many rows of one page: the URL, the language and the pattern
    looked up once, then each row costs one ``str.format``. ``in_form``: for buttons
    inside the star form (the grid), without the attribute that names it."""
    url = _agenda_url(event_slug, "remove" if starred else "add")
    pattern = _star_pattern(starred, get_language(), in_form)

    def star(session_slug: str, title: str) -> Markup:
        # html.escape: Django's escape, without its lazy-string wrapper.
        slug, title = escape(session_slug), escape(title)
        button = pattern.format(url=url.replace("__session__", slug), title=title)
        return Markup(button)  # noqa: S704 - the template's output, slug and title escaped

    return star


def star_button(event_slug: str, session_slug: str, title: str, starred: bool) -> Markup:
    """The star toggle of one session (templates/jinja2/schedule/star_button.jinja).
    Pages are cached with every star off, then ``personalize`` swaps in the "on"
    version for this visitor's sessions, so both versions must come from here, byte
    for byte. One ``reverse`` per event, one template render per language."""
    return star_buttons(event_slug, starred)(session_slug, title)


def _from_url(button: str) -> bytes:
    return button[button.index(" formaction=") :].encode()


def personalize(request: HttpRequest, event: Event) -> Personal:
    """Turn on the stars of this visitor's agenda in a shared, cached page."""
    agenda = find_agenda(request, event)
    if agenda is None:
        return Personal(version="", apply=lambda content: content)
    items = list(
        AgendaItem.objects.filter(agenda=agenda).values_list("session__slug", "session__title")
    )

    def apply(content: bytes) -> bytes:
        # From the URL on, a button is the same inside the star form and outside it.
        for slug, title in items:
            content = content.replace(
                _from_url(star_button(event.slug, slug, title, False)),
                _from_url(star_button(event.slug, slug, title, True)),
            )
        return content

    return Personal(version=f"{agenda.pk}:{agenda.updated_at.isoformat()}", apply=apply)
