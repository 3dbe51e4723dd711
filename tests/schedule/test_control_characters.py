"""Control characters and odd Unicode (issue 11; issue 12 items 3 and 4).

One sanitizer (``lib.text``): text fields refuse control characters (model validation,
so the admin and the API too), the importer strips them and says so, and every export
strips them again, so that schedule.xml is always XML, schedule.json always encodes and
every .ics parses, whatever the database holds.
"""

import datetime as dt
import io
import json
import re
from pathlib import Path
from xml.sax.saxutils import escape

import icalendar
import jsonschema
import pytest
import xmlschema
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms import modelform_factory
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.models import Event, Room, Track
from lib.text import BAD_IN_LINE, BAD_IN_TEXT, clean_line, clean_text, validate_line, validate_text
from schedule.agenda import feed_token, star
from schedule.models import Agenda, Session
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    MembershipFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent / "schemas"
NASTY = [
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
    "\ud800", "\udfff", "\ufffe", "\uffff", "\r", "\n", "\r\n", "\t", "\u2028", "\u2029",
    "\u200b", "\u202e", "\ufeff", "é", "𝔘", "👩‍💻", "<", "&", "]]>", '"', ";", ",", "\\",
    "END:VEVENT", "BEGIN:VCALENDAR",
]  # fmt: skip
# Odd but valid text mixed with characters that no export can carry.
DB_EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hostile_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=5)), min_size=1, max_size=12
).map("".join)


@pytest.fixture(scope="module")
def xsd():
    return xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((SCHEMAS / "schema.json").read_text())
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


# The sanitizer -------------------------------------------------------------------------


def test_one_line_text_loses_control_characters_and_line_breaks():
    assert clean_line("a\r\nb\x1bc\x00d\ud800e\x85f\tg") == "a bcdef g"
    assert clean_line("Plain, “quoted” & 𝔘nicode") == "Plain, “quoted” & 𝔘nicode"


def test_multi_line_text_keeps_line_breaks_and_tabs():
    assert clean_text("one\r\ntwo\rthree\n\tfour\x00\x1b\ud800") == "one\ntwo\nthree\n\tfour"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Talk\x1b[31m", "control character (U+001B at character 5)"),
        ("Nul\x00", "control character (U+0000 at character 4)"),
        ("Half\ud800", "not valid Unicode text (U+D800 at character 5)"),
        ("Two\nlines", "must be one line, without line breaks or tabs (U+000A at character 4)"),
        ("C1\x85", "control character (U+0085 at character 3)"),
    ],
)
def test_one_line_validator_names_the_character_and_where(value, message):
    with pytest.raises(ValidationError) as caught:
        validate_line(value)
    assert message in caught.value.messages[0]


def test_text_validator_allows_line_breaks_and_tabs_only():
    validate_text("Line one\r\nLine two\n\tindented — ünïcødé 👩‍💻")
    with pytest.raises(ValidationError, match="U\\+000C"):
        validate_text("page\x0cbreak")


@given(hostile_text)
@settings(max_examples=300, deadline=None)  # no timing: the machine may be busy
def test_cleaned_text_always_passes_its_validator(value):
    validate_line(clean_line(value))
    validate_text(clean_text(value))
    # …and encodes, and is XML.
    clean_line(value).encode()
    etree.fromstring(f"<t>{escape(clean_text(value))}</t>")


# The models refuse (admin forms and the API run the same validators) ---------------------


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Event, "name", "Conf\r\nX-INJECTED: 1"),
        (Event, "venue_name", "Hall\x00"),
        (Event, "description", "Text\x1b"),
        (Room, "name", "Room\x07"),
        (Track, "name", "Track\u2028two"),
        (Speaker, "name", "Ada\x00Lovelace"),
        (Speaker, "bio", "bio\ud800"),
        (Session, "title", "Title\x7f"),
        (Session, "abstract", "abstract\x0b"),
        (Session, "subtitle", "sub\ntitle"),
        (Session, "description", "desc\x01"),
    ],
)
def test_model_validation_refuses_control_characters(model, field, value):
    event = EventFactory()
    objects = {
        Event: lambda: event,
        Room: lambda: RoomFactory(event=event),
        Track: lambda: TrackFactory(event=event),
        Speaker: lambda: SpeakerFactory(event=event),
        Session: lambda: SessionFactory(event=event),
    }
    obj = objects[model]()
    setattr(obj, field, value)
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert field in caught.value.message_dict
    assert "remove it" in caught.value.message_dict[field][0]


def test_an_event_form_refuses_a_line_break_in_the_name():
    """What the admin's raw POST met (issue 12, item 3): the form now says no."""
    form_class = modelform_factory(Event, fields=["name", "slug", "timezone", "start_date",
                                                   "end_date"])  # fmt: skip
    form = form_class(
        data={"name": "Conf\r\nEvil", "slug": "evil", "timezone": "UTC",
              "start_date": "2030-01-01", "end_date": "2030-01-02"}
    )  # fmt: skip
    assert not form.is_valid()
    assert "one line" in form.errors["name"][0]


def test_the_api_refuses_control_characters_in_writes():
    event = EventFactory(slug="apiconf")
    membership = MembershipFactory(event=event)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=membership.user).key}")
    base = "/api/v1/events/apiconf"
    response = api.post(f"{base}/rooms/", {"name": "Room\x00A"}, format="json")
    assert response.status_code == 400, response.content
    assert "control character" in json.dumps(response.json())
    response = api.post(f"{base}/speakers/", {"name": "Ada\x1b"}, format="json")
    assert response.status_code == 400, response.content
    session = SessionFactory(event=event, title="Fine")
    response = api.patch(f"{base}/sessions/{session.slug}/", {"title": "Bad\r\nTitle"},
                         format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert not [name for name in Room.objects.values_list("name", flat=True) if "\x00" in name]
    session.refresh_from_db()
    assert session.title == "Fine"


# Exports strip what got in anyway ----------------------------------------------------


def storable(text: str) -> str:
    """What a database can hold at all: no NUL (PostgreSQL) and no lone surrogate (UTF-8)."""
    return re.sub("[\x00\ud800-\udfff]", "", text)


def hostile_event(text: str) -> Event:
    """An event whose every text holds ``text``, stored without validation (as rows
    written before the validators, or by a script, may be)."""
    text = storable(text)
    event = EventFactory(slug="hostile", name=f"Conf {text}", venue_name=f"Hall {text}",
                         start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 8),
                         acronym="hostile")  # fmt: skip
    room = RoomFactory(event=event, name=f"R {text}")
    track = TrackFactory(event=event, name=f"T {text}")
    speaker = SpeakerFactory(event=event, name=f"Ada {text}", bio=f"Bio {text}")
    start = dt.datetime(2030, 5, 6, 10, tzinfo=dt.UTC)
    session = SessionFactory(
        event=event,
        title=f"Title {text}",
        subtitle=f"Sub {text}",
        abstract=f"Abstract {text}",
        description=f"Description {text}",
        recording_license=f"CC {text}",
        links=[{"url": "https://example.org/x", "title": f"Link {text}"}],
        room=room,
        track=track,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        status=Session.Status.PUBLISHED,
    )
    SessionSpeakerFactory(session=session, speaker=speaker)
    return event


def check_exports(client: Client, event: Event, xsd, json_validator) -> None:
    """Every export of ``event`` answers 200 and is valid, with no control character."""
    session = Session.objects.filter(event=event).first()
    xml = client.get(f"/{event.slug}/schedule.xml")
    assert xml.status_code == 200
    xsd.validate(etree.fromstring(xml.content))  # strict XML parser, then the XSD
    document = json.loads(client.get(f"/{event.slug}/schedule.json").content)
    json_validator.validate(document)
    assert not BAD_IN_TEXT.search(json.dumps(document, ensure_ascii=False))
    paths = [f"/{event.slug}/schedule.ics"]
    if session is not None:
        paths.append(f"/{event.slug}/sessions/{session.slug}.ics")
        agenda = Agenda.objects.create(event=event)
        star(agenda, session)
        paths.append(f"/{event.slug}/agenda/{feed_token(agenda)}.ics")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert not re.search(r"\r(?!\n)|(?<!\r)\n", body), "only CRLF line ends"
        assert not BAD_IN_TEXT.search(body.replace("\r\n", "")), path
        calendar = icalendar.Calendar.from_ical(response.content)
        for component in calendar.walk("VEVENT"):
            for name in ("SUMMARY", "LOCATION"):
                assert not BAD_IN_LINE.search(str(component[name]))
        assert not BAD_IN_LINE.search(str(calendar["X-WR-CALNAME"]))


@pytest.mark.parametrize("text", ["\r\nX-EVIL:1", "\x01\x08", "\ufffe", "\x1b[2J", "\x0c\x7f\x85"])
def test_exports_of_stored_control_characters_stay_valid(text, xsd, json_validator):
    """Issue 12 item 3: a CR/LF in the event's name made schedule.ics, session .ics and
    agenda feeds answer 500; now every export strips it."""
    event = hostile_event(text)
    check_exports(Client(), event, xsd, json_validator)
    ics = Client().get("/hostile/schedule.ics").content
    assert b"\r\nX-EVIL" not in ics  # the injected line never starts a line of its own


@given(text=hostile_text)
@DB_EXAMPLES
def test_any_stored_text_gives_valid_exports(text, xsd, json_validator):
    Event.objects.filter(slug="hostile").delete()
    Speaker.objects.all().delete()
    check_exports(Client(), hostile_event(text), xsd, json_validator)


# The importer strips, says so, and never fails on them ------------------------------------


def frab_json(text: str) -> str:
    """A frab JSON file whose every text holds ``text`` (JSON can carry any code point)."""
    event = {
        "id": 1,
        "guid": "11111111-2222-4333-8444-555555555555",
        "date": "2030-05-06T10:00:00+02:00",
        "start": "10:00",
        "duration": "00:30",
        "room": f"Room {text}",
        "slug": "hostile-1-talk",
        "title": f"Title {text}",
        "subtitle": f"Sub {text}",
        "track": f"Track {text}",
        "type": f"Talk {text}",
        "language": "en",
        "abstract": f"Abstract {text}",
        "description": f"Description {text}",
        "links": [{"url": "https://example.org/", "title": f"Link {text}"}],
        "persons": [
            {"id": 5, "code": "ABC123", "name": f"Ada {text}", "biography": f"Bio {text}"}
        ],  # fmt: skip
    }
    return json.dumps(
        {
            "schedule": {
                "version": "1",
                "conference": {
                    "acronym": "hostile",
                    "title": f"Conf {text}",
                    "start": "2030-05-06",
                    "end": "2030-05-06",
                    "daysCount": 1,
                    "timeslot_duration": "00:05",
                    "time_zone_name": "Europe/Berlin",
                    "days": [{"index": 1, "date": "2030-05-06", "rooms": {"R": [event]}}],
                },
            }
        }
    )


def run_import(path, slug: str) -> str:
    out = io.StringIO()
    call_command("import_schedule", str(path), "--event", slug, stdout=out)
    return out.getvalue()


def stored_texts() -> list[str]:
    texts = []
    for event in Event.objects.all():
        texts += [event.name, event.description]
    texts += list(Room.objects.values_list("name", flat=True))
    texts += list(Track.objects.values_list("name", flat=True))
    for s in Speaker.objects.all():
        texts += [s.name, s.bio, s.code]
    for s in Session.objects.all():
        texts += [s.title, s.subtitle, s.abstract, s.description, json.dumps(s.links)]
    return texts


@pytest.mark.parametrize("text", ["\x00", "\ud800", "\x1b", "\r\n", "\x85"])
def test_import_strips_nul_surrogates_and_controls_with_a_note(text, tmp_path):
    """Issue 12 item 4: NUL was a database error on PostgreSQL, a lone surrogate a
    UnicodeEncodeError with a traceback."""
    path = tmp_path / "hostile.json"
    path.write_text(frab_json(text), encoding="utf-8", errors="surrogatepass")
    output = run_import(path, "hostile")
    assert "created 1 event" in output
    session = Session.objects.get()
    assert session.title == ("Title" if text in "\r\n" else "Title")
    assert session.speakers.get().name == "Ada"
    for value in stored_texts():
        assert not BAD_IN_TEXT.search(value), value
    if text not in ("\r\n",):
        assert "control characters removed from the title" in output
    for model in (Session, Speaker, Room, Track, Event):
        for obj in model.objects.all():
            obj.full_clean(validate_unique=False, validate_constraints=False,
                           exclude=["slug", "avatar", "avatar_thumb"])  # fmt: skip


def test_xml_with_raw_control_bytes_is_read_and_says_so(tmp_path):
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n<schedule><conference><title>Con\x01f</title>'
        "<acronym>ctrl</acronym><time_zone_name>UTC</time_zone_name></conference>\n"
        '<day index="1" date="2030-05-06"><room name="A">'
        '<event id="7" guid="11111111-2222-4333-8444-555555555555">'
        "<date>2030-05-06T10:00:00+00:00</date><duration>00:30</duration><room>A</room>"
        "<title>Bell\x07 talk</title><track/><type>Talk</type><abstract/>"
        "</event></room></day></schedule>"
    )
    path = tmp_path / "ctrl.xml"
    path.write_bytes(text.encode())
    output = run_import(path, "ctrl")
    assert "line 2: 2 control characters, which XML cannot hold, were removed" in output
    assert Session.objects.get().title == "Bell talk"
    assert Event.objects.get().name == "Conf"


@given(text=hostile_text)
@DB_EXAMPLES
def test_any_imported_text_is_stored_clean_and_exports_stay_valid(text, tmp_path, xsd,
                                                                   json_validator):  # fmt: skip
    Event.objects.filter(slug="hostile").delete()
    path = tmp_path / "hostile.json"
    path.write_text(frab_json(text), encoding="utf-8", errors="surrogatepass")
    run_import(path, "hostile")
    for value in stored_texts():
        assert not BAD_IN_TEXT.search(value), value
    check_exports(Client(), Event.objects.get(slug="hostile"), xsd, json_validator)


@given(st.lists(hostile_text, max_size=4), st.lists(hostile_text, max_size=4))
@settings(max_examples=300, deadline=None)
def test_all_clean_says_whether_cleaning_would_change_anything(texts, lines):
    """The rows' one search for control characters (ASCII as bytes, the rest by the
    expressions) agrees with the cleaners, text by text and line by line."""
    from lib.text import all_clean

    expected = all(clean_text(t) == t for t in texts) and all(clean_line(v) == v for v in lines)
    assert all_clean(texts, lines) is expected
    assert all_clean(texts + ["plain ascii\n\ttext"], lines + ["A line"]) is expected
