"""frab exports (issue 4): /<event>/schedule.xml and /<event>/schedule.json.

They must validate against the published schemas (vendored in ``schemas/``), keep the
unwritten rules the apps that read them rely on (see ``schemas/README.md``), show only
published data, and survive a round trip through ``import_schedule`` byte for byte.
"""

import datetime as dt
import io
import json
import re
import uuid
import zoneinfo
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import xmlschema
from django.core.management import call_command
from django.test import Client
from lxml import etree

from events.models import Event, Room, SessionType, Track
from schedule.exporters.base import escape_all
from schedule.exporters.frab import JOINT, _json_text
from schedule.models import Session, SessionSpeaker
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SessionTypeFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
HHMM = re.compile(r"^\d{2}:\d{2}$")
ACRONYM = re.compile(r"^[a-z0-9_]{4,}$")


@pytest.fixture(scope="module")
def xsd():
    return xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((SCHEMAS / "schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


def build_conference(slug: str = "froscon30") -> SimpleNamespace:
    """A demo-like conference in Europe/Berlin over three days, across the end of
    summer time (2030-10-27): several rooms, tracks, types, speakers with bios, and
    sessions that frab exports must leave out (draft, cancelled, no room, no time)."""
    d1, d2, d3 = dt.date(2030, 10, 26), dt.date(2030, 10, 27), dt.date(2030, 10, 28)
    event = EventFactory(
        slug=slug,
        name="FrOSCon 2030 – Free & Open Source",
        timezone="Europe/Berlin",
        start_date=d1,
        end_date=d3,
        description="Three days of **free software** in Sankt Augustin.",
    )
    main = RoomFactory(event=event, name="Main Hall", capacity=800, position=0)
    hs2 = RoomFactory(event=event, name="Hörsaal 2", capacity=120, position=1)
    lab = RoomFactory(event=event, name="Lab C116", capacity=30, position=2)
    security = TrackFactory(event=event, name="Security", color="#aa3355", position=0)
    development = TrackFactory(event=event, name="Development", color="#2a6f97", position=1)
    community = TrackFactory(event=event, name="Community", color="#558822", position=2)
    keynote = SessionTypeFactory(event=event, name="Keynote")
    talk = SessionTypeFactory(event=event, name="Talk")
    workshop = SessionTypeFactory(event=event, name="Workshop")
    panel = SessionTypeFactory(event=event, name="Panel")
    ada = SpeakerFactory(event=event, name="Ada Lovelace", bio="Wrote the *first* program.")
    grace = SpeakerFactory(event=event, name="Grace Hopper", bio="Found a [bug](https://x.org).")
    linus = SpeakerFactory(event=event, name="Linus Torvalds", bio="Kernel maintainer.")
    zoe = SpeakerFactory(event=event, name="Zoë Ünal", bio="Community & events.")
    hidden = SpeakerFactory(event=event, name="Harriet Hidden", bio="Not announced.")

    def session(title, start, minutes, room, track, kind, people=(), **kwargs):
        kwargs.setdefault("abstract", f"About {title}.\n\n* one\n* two")
        s = SessionFactory(
            event=event,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes) if start else None,
            room=room,
            track=track,
            session_type=kind,
            **kwargs,
        )
        for position, (person, role) in enumerate(people):
            SessionSpeakerFactory(session=s, speaker=person, role=role, position=position)
        return s

    speaker, moderator, panelist = (
        SessionSpeaker.Role.SPEAKER,
        SessionSpeaker.Role.MODERATOR,
        SessionSpeaker.Role.PANELIST,
    )
    published = [
        session("Opening keynote", at(d1, 9), 45, main, None, keynote, [(ada, speaker)]),
        session(
            "Secure boot <from> scratch & back",
            at(d1, 10),
            60,
            main,
            security,
            talk,
            [(ada, speaker), (grace, speaker)],
        ),
        session(
            "Kernel hacking 101", at(d1, 10), 90, hs2, development, workshop, [(linus, speaker)]
        ),
        session("Lunch", at(d1, 12, 30), 60, main, None, None),
        # Summer time ends at 03:00 on the second day: offsets +02:00, then +01:00.
        session("Night owls", at(d2, 1, 30), 30, lab, community, talk, [(zoe, speaker)]),
        session(
            "Compilers for everyone", at(d2, 10), 45, hs2, development, talk, [(grace, speaker)]
        ),
        session(
            "Building communities", at(d2, 14), 120, lab, community, workshop, [(zoe, speaker)]
        ),
        session(
            "The future of free software",
            at(d3, 9, 30),
            60,
            main,
            community,
            panel,
            [(zoe, moderator), (ada, panelist), (linus, panelist)],
        ),
        session("Café ☕ and closing", at(d3, 16, 5), 25, main, None, keynote, [(grace, speaker)]),
    ]
    left_out = [
        session(
            "Secret roadmap",
            at(d1, 15),
            30,
            hs2,
            security,
            talk,
            [(hidden, speaker)],
            status=Session.Status.DRAFT,
        ),
        session(
            "Cancelled talk",
            at(d2, 11),
            30,
            main,
            security,
            talk,
            [(ada, speaker)],
            status=Session.Status.CANCELLED,
        ),
        session("Hallway track", at(d2, 12), 30, None, None, talk),
        session("Time to be announced", None, 0, lab, None, talk),
    ]
    return SimpleNamespace(
        event=event,
        days=[d1, d2, d3],
        rooms=[main, hs2, lab],
        tracks=[security, development, community],
        published=published,
        left_out=left_out,
    )


@pytest.fixture
def froscon(db):
    return build_conference()


def fetch(path: str) -> bytes:
    response = Client().get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


# schedule.xml ------------------------------------------------------------------


def test_xml_is_served_as_xml(froscon):
    response = fetch("/froscon30/schedule.xml")
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_xml_validates_against_the_xsd(froscon, xsd):
    body = fetch("/froscon30/schedule.xml").content
    errors = [f"{e.path}: {e.reason}" for e in xsd.iter_errors(io.BytesIO(body))]
    assert errors == []


def test_xml_conference_header(froscon):
    body = fetch("/froscon30/schedule.xml").content
    assert body.decode().index("<conference>") < 1024
    root = etree.fromstring(body)
    assert root.tag == "schedule"
    assert (root.findtext("version") or "").strip()
    conference = root.find("conference")
    assert conference.findtext("title") == "FrOSCon 2030 – Free & Open Source"
    assert ACRONYM.fullmatch(conference.findtext("acronym"))
    assert conference.findtext("acronym") == froscon.event.acronym
    assert conference.findtext("time_zone_name") == "Europe/Berlin"
    assert conference.findtext("time_zone_name") in zoneinfo.available_timezones()
    assert conference.findtext("start") == "2030-10-26"
    assert conference.findtext("end") == "2030-10-28"
    assert conference.findtext("days") == "3"
    assert HHMM.fullmatch(conference.findtext("timeslot_duration"))
    tracks = [t.get("name") for t in conference.findall("track")]
    assert tracks == ["Security", "Development", "Community"]


def test_xml_days_and_rooms(froscon):
    root = etree.fromstring(fetch("/froscon30/schedule.xml").content)
    days = root.findall("day")
    assert [d.get("index") for d in days] == ["1", "2", "3"]
    assert [d.get("date") for d in days] == ["2030-10-26", "2030-10-27", "2030-10-28"]
    for day in days:
        start = dt.datetime.fromisoformat(day.get("start"))
        end = dt.datetime.fromisoformat(day.get("end"))
        assert start.tzinfo is not None and end.tzinfo is not None
        assert start < end
        assert start.astimezone(BERLIN).date().isoformat() == day.get("date")
        for room in day.findall("room"):
            assert (room.get("name") or "").strip()
            uuid.UUID(room.get("guid"))
    # The first day starts with the opening keynote, in summer time.
    assert days[0].get("start") == "2030-10-26T09:00:00+02:00"


def xml_events(root) -> list:
    return root.findall("day/room/event")


def test_xml_events_keep_the_rules_apps_rely_on(froscon):
    root = etree.fromstring(fetch("/froscon30/schedule.xml").content)
    events = xml_events(root)
    stored = {str(s.guid): s for s in froscon.published}
    assert len(events) == len(stored)
    ids = [int(e.get("id")) for e in events]
    assert all(i > 0 for i in ids) and len(set(ids)) == len(ids)
    guids = [e.get("guid") for e in events]
    assert len(set(guids)) == len(guids)
    for event in events:
        guid = event.get("guid")
        assert str(uuid.UUID(guid)) == guid
        session = stored[guid]
        assert int(event.get("id")) == session.export_id
        date = dt.datetime.fromisoformat(event.findtext("date"))
        assert date.utcoffset() is not None, "date needs an offset"
        assert date == session.starts_at
        assert date.utcoffset() == session.starts_at.astimezone(BERLIN).utcoffset()
        assert HHMM.fullmatch(event.findtext("start"))
        assert event.findtext("start") == f"{date:%H:%M}"
        duration = event.findtext("duration")
        assert HHMM.fullmatch(duration) and duration < "24:00"
        hours, minutes = map(int, duration.split(":"))
        assert dt.timedelta(hours=hours, minutes=minutes) == session.duration
        for tag in ("room", "type", "track", "title", "abstract"):
            assert event.find(tag) is not None, (guid, tag)
        assert event.findtext("room") == session.room.name
        assert event.getparent().get("name") == session.room.name
        assert event.findtext("title") == session.title
        assert event.findtext("abstract") == session.abstract
        assert event.findtext("track") == (session.track.name if session.track else "")
        names = [p.text for p in event.findall("persons/person")]
        assert names == [link.speaker.name for link in session.speaker_links.all()]
        for person in event.findall("persons/person"):
            uuid.UUID(person.get("guid"))


def test_xml_local_times_across_the_end_of_summer_time(froscon):
    root = etree.fromstring(fetch("/froscon30/schedule.xml").content)
    by_title = {e.findtext("title"): e for e in xml_events(root)}
    night = by_title["Night owls"]
    assert night.findtext("date") == "2030-10-27T01:30:00+02:00"
    assert night.findtext("start") == "01:30"
    assert night.getparent().getparent().get("date") == "2030-10-27"
    later = by_title["Compilers for everyone"]
    assert later.findtext("date") == "2030-10-27T10:00:00+01:00"
    assert later.findtext("start") == "10:00"


def test_xml_holds_only_published_scheduled_sessions(froscon):
    body = fetch("/froscon30/schedule.xml").content
    root = etree.fromstring(body)
    titles = {e.findtext("title") for e in xml_events(root)}
    assert titles == {s.title for s in froscon.published}
    for session in froscon.left_out:
        assert session.title.encode() not in body
        assert str(session.guid).encode() not in body
    assert b"Harriet Hidden" not in body  # the draft's speaker


def test_xml_escapes_markup_in_titles(froscon):
    body = fetch("/froscon30/schedule.xml").content
    assert b"Secure boot &lt;from&gt; scratch &amp; back" in body


def test_xml_bytes_are_elementtree_serialization(froscon):
    """schedule.xml is written as text (issue 13: a fifth of the time); its bytes are
    what ElementTree writes for the same tree with ``ET.indent(root, space=" ")``, as
    before: escapes in text and attributes, empty elements, indentation, declaration."""
    import xml.etree.ElementTree as ET

    Speaker.objects.filter(name="Zoë Ünal").update(name='Zoë "Z" <Ünal> & co')
    room = froscon.rooms[1]
    room.name = 'Hörsaal "2" & <annex>'
    room.save()
    hostile = froscon.published[1]
    hostile.subtitle = ""
    hostile.description = "Two\nlines & <b>more</b>"
    hostile.links = [{"url": 'https://x.org/?a=1&b="2"', "title": ""}, {"url": "https://y.org"}]
    hostile.recording_license = "CC BY 4.0"
    hostile.do_not_record = True
    hostile.save()
    body = fetch("/froscon30/schedule.xml").content
    root = ET.fromstring(body)  # noqa: S314 (our own output)
    ET.indent(root, space=" ")
    declaration = b'<?xml version="1.0" encoding="utf-8"?>\n'
    assert declaration + ET.tostring(root, encoding="utf-8") == body
    assert 'name="Hörsaal &quot;2&quot; &amp; &lt;annex&gt;"'.encode() in body
    assert b"<subtitle />" in body and b"<links />" in body
    assert 'Zoë "Z" &lt;Ünal&gt; &amp; co</person>'.encode() in body


def test_json_bytes_are_those_json_dumps_wrote(froscon):
    """schedule.json writes its sessions by hand (issue 13); its bytes are what
    ``json.dumps(document, ensure_ascii=False)`` writes for the same document, as
    before: escapes, non-ASCII text, links, persons with and without a code, empty
    lists, the version last."""
    Speaker.objects.filter(name="Zoë Ünal").update(name='Zoë "Z" \\ <Ünal>', code="ZOE1")
    hostile = froscon.published[1]
    hostile.title = 'Quotes " and \\ backslashes\ttab'
    hostile.description = "Two\nlines & <b>more</b> \u2028 ✓"
    hostile.links = [{"url": 'https://x.org/?a=1&b="2"', "title": ""}, {"url": "https://y.org"}]
    hostile.do_not_record = True
    hostile.save()
    body = fetch("/froscon30/schedule.json").content
    document = json.loads(body)
    assert json.dumps(document, ensure_ascii=False).encode() == body
    events = {event["guid"]: event for event in json_events(document)}
    written = events[str(hostile.guid)]
    assert written["description"] == "Two\nlines & <b>more</b> \u2028 ✓"
    assert written["links"] == [{"url": 'https://x.org/?a=1&b="2"', "title": ""},
                                {"url": "https://y.org", "title": ""}]  # fmt: skip
    zoe = [p for e in events.values() for p in e["persons"] if p["name"].startswith("Zoë")]
    assert zoe and all(p["code"] == "ZOE1" for p in zoe)
    assert any(e["persons"] == [] for e in events.values())


def test_json_texts_are_escaped_as_json_escapes_them():
    """schedule.json escapes its texts by search and replace, with json's own escaper
    for the rare text with another control character (exporters/frab.py): either way,
    character for character what json writes, alone or in a batch (``escape_all``),
    with the character that joins a batch in the texts too."""
    chars = [chr(n) for n in range(0x3000)] + ["\ud800", "\ufffe", "\uffff", "\U0001f600"]
    texts = [text for c in chars for text in (c, f"a{c}b\n", f'{c}{c}"\\')]
    expected = [json.dumps(text, ensure_ascii=False)[1:-1] for text in texts]
    assert [_json_text(text) for text in texts] == expected
    for batch in (texts[:40], texts[0x7F * 3 : 0x7F * 3 + 5], ["plain", "two\nlines", ""]):
        assert escape_all(batch, _json_text, JOINT) == [
            json.dumps(text, ensure_ascii=False)[1:-1] for text in batch
        ]


# schedule.json -----------------------------------------------------------------


def json_events(document) -> list[dict]:
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_json_is_served_as_json(froscon):
    response = fetch("/froscon30/schedule.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    json.loads(response.content)


def test_json_validates_against_the_schema(froscon, json_validator):
    document = json.loads(fetch("/froscon30/schedule.json").content)
    errors = [f"{list(e.path)}: {e.message}" for e in json_validator.iter_errors(document)]
    assert errors == []


def test_json_schema_check_can_fail(froscon, json_validator):
    """The validator is not vacuous: a broken document is caught."""
    document = json.loads(fetch("/froscon30/schedule.json").content)
    json_events(document)[0]["duration"] = "1h"
    del document["schedule"]["conference"]["title"]
    assert len(list(json_validator.iter_errors(document))) >= 2


def test_xsd_check_can_fail(froscon, xsd):
    root = etree.fromstring(fetch("/froscon30/schedule.xml").content)
    event = xml_events(root)[0]
    event.remove(event.find("title"))
    assert list(xsd.iter_errors(io.BytesIO(etree.tostring(root))))


def test_json_conference_header(froscon):
    document = json.loads(fetch("/froscon30/schedule.json").content)
    schedule = document["schedule"]
    assert schedule["version"].strip()
    conference = schedule["conference"]
    assert conference["title"] == "FrOSCon 2030 – Free & Open Source"
    assert ACRONYM.fullmatch(conference["acronym"])
    assert conference["time_zone_name"] == "Europe/Berlin"
    assert conference["start"] == "2030-10-26" and conference["end"] == "2030-10-28"
    assert conference["daysCount"] == 3 == len(conference["days"])
    assert HHMM.fullmatch(conference["timeslot_duration"])
    assert [r["name"] for r in conference["rooms"]] == ["Main Hall", "Hörsaal 2", "Lab C116"]
    assert [r["capacity"] for r in conference["rooms"]] == [800, 120, 30]
    assert [t["name"] for t in conference["tracks"]] == ["Security", "Development", "Community"]
    for index, day in enumerate(conference["days"], start=1):
        assert day["index"] == index
        assert day["date"] == froscon.days[index - 1].isoformat()
        start = dt.datetime.fromisoformat(day["day_start"])
        end = dt.datetime.fromisoformat(day["day_end"])
        assert start.utcoffset() is not None and start < end
        assert all(name.strip() for name in day["rooms"])


def test_json_events_keep_the_rules_apps_rely_on(froscon):
    document = json.loads(fetch("/froscon30/schedule.json").content)
    events = json_events(document)
    stored = {str(s.guid): s for s in froscon.published}
    assert {e["guid"] for e in events} == set(stored)
    ids = [e["id"] for e in events]
    assert all(isinstance(i, int) and i > 0 for i in ids) and len(set(ids)) == len(ids)
    assert len({e["guid"] for e in events}) == len(events)
    for event in events:
        session = stored[event["guid"]]
        date = dt.datetime.fromisoformat(event["date"])
        assert date.utcoffset() is not None and date == session.starts_at
        assert HHMM.fullmatch(event["start"]) and event["start"] == f"{date:%H:%M}"
        assert HHMM.fullmatch(event["duration"]) and event["duration"] < "24:00"
        for key in ("room", "type", "track", "title", "abstract"):
            assert key in event, key
        assert event["room"] == session.room.name
        assert event["title"] == session.title
        names = [p["name"] for p in event["persons"]]
        assert names == [link.speaker.name for link in session.speaker_links.all()]
        assert all(
            p["biography"] == Speaker.objects.get(name=p["name"]).bio for p in event["persons"]
        )
    body = json.dumps(document)
    for session in froscon.left_out:
        assert str(session.guid) not in body


def test_xml_and_json_describe_the_same_schedule(froscon):
    root = etree.fromstring(fetch("/froscon30/schedule.xml").content)
    document = json.loads(fetch("/froscon30/schedule.json").content)
    from_xml = {
        e.get("guid"): (
            int(e.get("id")),
            e.findtext("date"),
            e.findtext("duration"),
            e.findtext("room"),
            e.findtext("title"),
        )
        for e in xml_events(root)
    }
    from_json = {
        e["guid"]: (e["id"], e["date"], e["duration"], e["room"], e["title"])
        for e in json_events(document)
    }
    assert from_xml == from_json


def test_version_changes_with_the_schedule(froscon):
    first = json.loads(fetch("/froscon30/schedule.json").content)["schedule"]["version"]
    again = json.loads(fetch("/froscon30/schedule.json").content)["schedule"]["version"]
    assert first == again
    session = froscon.published[1]
    session.title = "Secure boot, revisited"
    session.save()
    changed = json.loads(fetch("/froscon30/schedule.json").content)["schedule"]["version"]
    assert changed != first


def test_exports_of_an_unpublished_event_are_not_found(froscon):
    Event.objects.filter(pk=froscon.event.pk).update(is_published=False)
    for fmt in ("xml", "json"):
        assert Client().get(f"/froscon30/schedule.{fmt}").status_code == 404


# Round trip ----------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Event, Session, Speaker, Room, Track, SessionType, SessionSpeaker)
    }


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_round_trip_through_import_is_byte_for_byte(fmt, db, tmp_path):
    build_conference()
    first = fetch(f"/froscon30/schedule.{fmt}").content

    Event.objects.filter(slug="froscon30").delete()  # and with it everything it holds
    assert set(counts().values()) == {0}, counts()

    path = tmp_path / f"froscon30.schedule.{fmt}"
    path.write_bytes(first)
    out = io.StringIO()
    call_command("import_schedule", str(path), "--event", "froscon30", stdout=out)
    assert "created 1 event" in out.getvalue()
    assert Session.objects.filter(event__slug="froscon30").count() == 9

    second = fetch(f"/froscon30/schedule.{fmt}").content
    assert second.decode() == first.decode()


def content(path: str) -> bytes:
    return fetch(path).content


# Exports every client reads (issue 11) ------------------------------------------------


def test_every_person_has_an_integer_id_in_xml_and_json(froscon):
    root = etree.fromstring(content("/froscon30/schedule.xml"))
    persons = root.findall("day/room/event/persons/person")
    assert persons and all(p.get("id", "").isdigit() for p in persons)
    by_name = {p.text: int(p.get("id")) for p in persons}
    stored = dict(Speaker.objects.filter(event=froscon.event).values_list("name", "frab_id"))
    assert by_name == {name: stored[name] for name in by_name}
    document = json.loads(content("/froscon30/schedule.json"))
    people = [p for e in json_events(document) for p in e["persons"]]
    assert all(isinstance(p["id"], int) and p["id"] > 0 for p in people)
    assert {p["name"]: p["id"] for p in people} == by_name


def test_session_and_person_ids_are_unique_across_the_installation(froscon):
    other = build_conference("froscon31")
    ids = Session.objects.values_list("frab_id", flat=True)
    assert len(set(ids)) == len(ids) == Session.objects.count()
    people = Speaker.objects.values_list("frab_id", flat=True)
    assert None not in people and len(set(people)) == len(people)
    first = {
        e.get("id") for e in etree.fromstring(content("/froscon30/schedule.xml")).iter("event")
    }
    second = {
        e.get("id") for e in etree.fromstring(content("/froscon31/schedule.xml")).iter("event")
    }
    assert first and second and not first & second
    assert other.event.pk != froscon.event.pk


def test_imported_ids_are_kept_where_free(tmp_path):
    build_conference("froscon30")
    path = tmp_path / "export.json"
    path.write_bytes(content("/froscon30/schedule.json"))
    ids = {e["id"] for e in json_events(json.loads(path.read_bytes()))}
    call_command("import_schedule", str(path), "--event", "copy", stdout=io.StringIO())
    copied = set(Session.objects.filter(event__slug="copy").values_list("frab_id", flat=True))
    assert copied and not copied & ids  # taken by the original: new ones
    Event.objects.filter(slug="froscon30").delete()
    Speaker.objects.filter(event__slug="froscon30").delete()
    call_command("import_schedule", str(path), "--event", "again", stdout=io.StringIO())
    again = set(Session.objects.filter(event__slug="again").values_list("frab_id", flat=True))
    assert again == ids  # free again: kept


@pytest.mark.parametrize("room_name", ["A", "1", "Ö", "!!", "Hall"])
def test_room_and_track_slugs_pass_the_schema_whatever_the_name(db, json_validator, room_name):
    event = EventFactory(slug="tiny", timezone="Europe/Berlin", start_date=dt.date(2030, 5, 6),
                         end_date=dt.date(2030, 5, 6))  # fmt: skip
    room = RoomFactory(event=event, name=room_name)
    track = TrackFactory(event=event, name=room_name)
    SessionFactory(event=event, room=room, track=track, starts_at=at(dt.date(2030, 5, 6), 10),
                   ends_at=at(dt.date(2030, 5, 6), 11))  # fmt: skip
    document = json.loads(content("/tiny/schedule.json"))
    json_validator.validate(document)
    assert document["schedule"]["conference"]["rooms"][0]["guid"] == str(room.guid)


def test_new_frab_fields_reach_both_formats(froscon, xsd, json_validator):
    talk = froscon.published[1]
    talk.subtitle = "From the ground up"
    talk.description = "Longer *text*."
    talk.language = "de"
    talk.do_not_record = True
    talk.recording_license = "CC BY 4.0"
    talk.links = [{"url": "https://example.org/slides", "title": "Slides"}]
    talk.save()
    root = etree.fromstring(content("/froscon30/schedule.xml"))
    xsd.validate(root)
    el = root.find(f"day/room/event[@guid='{talk.guid}']")
    assert el.findtext("subtitle") == "From the ground up"
    assert el.findtext("description") == "Longer *text*."
    assert el.findtext("language") == "de"
    assert el.findtext("recording/optout") == "true"
    assert el.findtext("recording/license") == "CC BY 4.0"
    assert el.find("links/link").get("href") == "https://example.org/slides"
    document = json.loads(content("/froscon30/schedule.json"))
    json_validator.validate(document)
    event = next(e for e in json_events(document) if e["guid"] == str(talk.guid))
    assert (event["subtitle"], event["language"], event["do_not_record"]) == (
        "From the ground up", "de", True,
    )  # fmt: skip
    assert event["links"] == [{"url": "https://example.org/slides", "title": "Slides"}]
