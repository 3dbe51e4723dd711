"""The pages of one session and of one speaker.

Each reads what it shows in one statement, as plain values (a model instance only
where a template needs one: a speaker's avatar), and is rendered whole by Jinja2
(templates/jinja2/schedule/, in the layout base.jinja): Django's templates and the
ORM's compiling took most of these pages' time, several times what the database takes.
"""

from dataclasses import dataclass, field

from django.db.models import F, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import get_template
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Event
from events.pages import event_page
from lib.sql import Statement
from lib.timefmt import span
from speakers.models import Speaker
from speakers.templatetags.avatars import avatar

from .agenda import personalize, star_button
from .display import url_for
from .models import Session, SessionFacts, SessionSpeaker

BIO_EXCERPT_CHARS = 280
META_CHARS = 200  # of the text in a page's description for search engines and previews


def render_page(request: HttpRequest, template: str, **context) -> HttpResponse:
    """A whole page by Jinja2, with what its layout (base.jinja) reads."""
    context["draft_preview"] = getattr(request, "draft_preview", None)  # a preview's banner
    return HttpResponse(get_template(template, using="jinja2").render(context))


def _iso(moment) -> str:
    """As Django's ``date:'c'`` writes it: in the site's time zone."""
    return timezone.localtime(moment).isoformat() if moment else ""


# A person as a page shows them: their link's role, then the speaker's own columns.
SPEAKER_COLUMNS = ("name", "slug", "job_title", "company", "bio_html", "avatar", "avatar_thumb")


def _speaker(event: Event, values) -> Speaker:
    """A speaker (unsaved) from its columns: its byline, initials and avatar URLs."""
    return Speaker(event=event, **dict(zip(SPEAKER_COLUMNS, values, strict=True)))


@dataclass
class SessionPage(SessionFacts):
    """One session as its page shows it (its derived facts: SessionFacts)."""

    slug: str
    title: str
    subtitle: str
    abstract_text: str
    abstract_html: str
    description_html: str
    language: str
    do_not_record: bool
    links: list
    status: str
    starts_at: object
    ends_at: object
    room: str | None
    track_slug: str | None
    track: str | None
    type_slug: str | None
    session_type: str | None
    people: list = field(default_factory=list)  # (role, Speaker), in their order


SESSION_COLUMNS = (
    "slug", "title", "subtitle", "abstract_text", "abstract_html", "description_html",
    "language", "do_not_record", "links", "status", "starts_at", "ends_at", "room__name",
    "track__slug", "track__name", "session_type__slug", "session_type__name",
)  # fmt: skip
PEOPLE_COLUMNS = (
    "speaker_links__role",
    *(f"speaker_links__speaker__{name}" for name in SPEAKER_COLUMNS),
)


_SESSION = Statement(
    lambda event_id, slug: (
        Session.objects.public()
        .filter(event_id=event_id, slug=slug)
        .order_by("speaker_links__position", "speaker_links__speaker__name")
        .values_list(*SESSION_COLUMNS, *PEOPLE_COLUMNS)
    ),
    int,
    str,
)


def _session(event: Event, slug: str) -> SessionPage:
    """The public session with its room, track, type and people: one statement, a row
    per person (one without any)."""
    found = _SESSION.rows(event.pk, slug)
    if not found:
        raise Http404(_("No such session."))
    width = len(SESSION_COLUMNS)
    session = SessionPage(*found[0][:width])
    session.people = [
        (values[width], _speaker(event, values[width + 1 :]))
        for values in found
        if values[width] is not None
    ]
    return session


def _speaker_card(role: str, speaker: Speaker, event: Event) -> dict:
    bio = speaker.bio_text
    excerpt = Truncator(bio).chars(BIO_EXCERPT_CHARS)
    return {
        "name": speaker.name,
        "byline": speaker.byline,
        "url": url_for("speaker_detail", event.slug, speaker.slug),
        "speaker": speaker,
        "bio_excerpt": excerpt,
        "bio_cut": excerpt != bio,
        "is_panelist": role == SessionSpeaker.Role.PANELIST,
    }


def _cards(session: SessionPage, event: Event) -> tuple[list[dict], list[dict]]:
    """Speaker and panelist cards, then moderator cards, each in their order."""
    moderator = SessionSpeaker.Role.MODERATOR
    cards = [(role == moderator, _speaker_card(role, s, event)) for role, s in session.people]
    return [c for mod, c in cards if not mod], [c for mod, c in cards if mod]


@event_page(personal=personalize)
def session_detail(request: HttpRequest, event: Event, slug: str) -> HttpResponse:
    session = _session(event, slug)
    when = span(session.starts_at, session.ends_at, event.tzinfo) if session.starts_at else ""
    # A star or a calendar entry only where it helps: timed, on, not over.
    starrable = bool(session.starts_at) and not session.is_cancelled and event.phase() != "ended"
    speakers, moderators = _cards(session, event)
    return render_page(
        request,
        "schedule/session_detail.jinja",
        event=event,
        section="schedule",
        session=session,
        when=when,
        starts=_iso(session.starts_at),
        ends=_iso(session.ends_at),
        summary=Truncator(session.abstract_text).chars(META_CHARS),
        page_url=request.build_absolute_uri(request.path),  # cached whatever the query
        schedule_url=event.urls["schedule_list"],
        ics_url=url_for("session_ics", event.slug, session.slug),
        star=star_button(event.slug, session.slug, session.title, False) if starrable else "",
        starrable=starrable,
        avatar=avatar,
        speakers=speakers,
        moderators=moderators,
        speakers_heading=ngettext("Speaker", "Speakers", len(speakers)),
        moderators_heading=ngettext("Moderator", "Moderators", len(moderators)),
    )


@dataclass
class SpeakerSession(SessionFacts):
    """One of a speaker's sessions, as their page lists it, with the speaker's role."""

    slug: str
    title: str
    status: str
    starts_at: object
    ends_at: object
    room: str | None
    role: str


def _speaker_id(event_id, slug) -> Subquery:
    return Subquery(Speaker.objects.filter(event_id=event_id, slug=slug).order_by().values("pk"))


SPEAKER_PAGE_COLUMNS = (*SPEAKER_COLUMNS, "website", "mastodon", "github", "linkedin")
LISTED_COLUMNS = ("slug", "title", "status", "starts_at", "ends_at", "room__name")
# The speaker's public sessions, each with the speaker: none, and the speaker is not
# public (speakers are announced with their first public session: public_speakers).
# The speaker is found first, by slug (SQLite otherwise read every session of the event).
_SPEAKER = Statement(
    lambda event_id, slug: (
        Session.objects.public()
        .filter(event_id=event_id, speaker_links__speaker=_speaker_id(event_id, slug))
        .order_by(F("starts_at").asc(nulls_last=True), "title")  # alike on every database
        .values_list(
            *LISTED_COLUMNS,
            "speaker_links__role",  # the filtered link: this speaker's role
            *(f"speaker_links__speaker__{name}" for name in SPEAKER_PAGE_COLUMNS),
        )
    ),
    int,
    str,
)


@event_page(personal=personalize)
def speaker_detail(request: HttpRequest, event: Event, slug: str) -> HttpResponse:
    found = _SPEAKER.rows(event.pk, slug)
    if not found:
        raise Http404  # not a speaker of this event, or not announced yet
    width = len(LISTED_COLUMNS) + 1
    columns = dict(zip(SPEAKER_PAGE_COLUMNS, found[0][width:], strict=True))
    speaker = Speaker(event=event, **columns)
    tz = event.tzinfo
    open_for_stars = event.phase() != "ended"
    sessions = []
    for values in found:
        session = SpeakerSession(*values[:width])
        star = open_for_stars and bool(session.starts_at) and not session.is_cancelled
        sessions.append(
            {
                "session": session,
                "url": url_for("session_detail", event.slug, session.slug),
                "when": span(session.starts_at, session.ends_at, tz) if session.starts_at else "",
                "starts": _iso(session.starts_at),
                "ends": _iso(session.ends_at),
                "star": star_button(event.slug, session.slug, session.title, False) if star else "",
            }
        )
    bio = speaker.bio_text
    image = speaker.avatar.url if speaker.avatar else ""
    return render_page(
        request,
        "schedule/speaker_detail.jinja",
        event=event,
        section="speakers",
        speaker=speaker,
        summary=Truncator(bio).chars(META_CHARS),
        page_url=request.build_absolute_uri(request.path),  # cached whatever the query
        image_url=f"{request.scheme}://{request.get_host()}{image}" if image else "",
        speakers_url=event.urls["speaker_list"],
        picture=avatar(speaker, "lg"),
        sessions=sessions,
        sessions_heading=ngettext("Session", "Sessions", len(sessions)),
        starrable=any(item["star"] for item in sessions),
    )
