"""Importing frab schedules (issue 4): ``import_schedule`` and the admin upload.

Real exports of other systems (``samples/``) import with the right numbers and say
what was repaired; importing again updates; a bad file, whatever is wrong with it,
is refused with its position and changes nothing; hostile XML stays inert.
"""

import datetime as dt
import html
import io
import json
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from lxml import etree

from events.models import Event, Room, SessionType, Track
from schedule.importer import import_schedule
from schedule.models import Session, SessionSpeaker
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    MembershipFactory,
    SessionFactory,
    SessionSpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent / "samples"
MODELS = (Event, Session, Speaker, Room, Track, SessionType, SessionSpeaker)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def run_import(path, slug: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_schedule", str(path), "--event", slug, *args, stdout=out)
    return out.getvalue()


def refused(path, slug: str, *args: str) -> str:
    """Import a file that must be refused; return the message, check nothing changed."""
    before = counts()
    with pytest.raises(CommandError) as caught:
        run_import(path, slug, *args)
    assert counts() == before
    message = str(caught.value)
    assert message.startswith(f"{path}: nothing was imported.")
    return message


def stored_anywhere(secret: str) -> list[str]:
    """Tables with a row in which ``secret`` appears, in any column."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                if any(value is not None and secret in str(value) for value in row):
                    hits.append(table)
    return hits


# The samples ----------------------------------------------------------------------

# Counted from the files: events (sessions), distinct rooms, distinct person names,
# tracks (those used by sessions, plus the conference's tracks that have a colour).
EXPECTED = {
    "38c3-excerpt.schedule.xml": {"sessions": 18, "rooms": 3, "speakers": 31, "tracks": 7},
    "engelsystem-schedule-multiple.xml": {"sessions": 5, "rooms": 3, "speakers": 0, "tracks": 3},
    "pretalx-democon.schedule.json": {"sessions": 36, "rooms": 2, "speakers": 27, "tracks": 2},
    "debconf23.wafer.schedule.xml": {"sessions": 117, "rooms": 5, "speakers": 87, "tracks": 12},
}


def count_in_file(name: str) -> tuple[int, int]:
    """(events, distinct person names), read straight from the file."""
    data = (SAMPLES / name).read_bytes()
    if name.endswith(".json"):
        days = json.loads(data)["schedule"]["conference"]["days"]
        events = [e for day in days for room in day["rooms"].values() for e in room]
        names = {(p.get("name") or p["public_name"]).strip() for e in events for p in e["persons"]}
        return len(events), len(names)
    root = etree.fromstring(data)
    names = {p.text.strip() for p in root.iterfind("day/room/event/persons/person")}
    return len(root.findall("day/room/event")), len(names)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_numbers_match_the_files(name):
    sessions, speakers = count_in_file(name)
    assert (sessions, speakers) == (EXPECTED[name]["sessions"], EXPECTED[name]["speakers"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_imports_with_the_expected_numbers(name):
    expected = EXPECTED[name]
    output = run_import(SAMPLES / name, "sample")
    event = Event.objects.get(slug="sample")
    assert event.is_published
    assert Session.objects.filter(event=event).count() == expected["sessions"]
    assert Room.objects.filter(event=event).count() == expected["rooms"]
    assert Speaker.objects.filter(event=event).count() == expected["speakers"]
    assert Track.objects.filter(event=event).count() == expected["tracks"]
    assert not Session.objects.filter(event=event).exclude(status=Session.Status.PUBLISHED)
    kind = "JSON" if name.endswith(".json") else "XML"
    assert f"frab {kind}: created 1 event" in output
    assert f"{expected['sessions']} sessions" in output
    # Every imported session has a time and a room, and its frab id is positive and unique.
    sessions = Session.objects.filter(event=event)
    assert not sessions.filter(starts_at=None) and not sessions.filter(room=None)
    ids = list(sessions.values_list("frab_id", flat=True))
    assert all(ids) and len(set(ids)) == len(ids)


def test_38c3_details():
    run_import(SAMPLES / "38c3-excerpt.schedule.xml", "38c3")
    event = Event.objects.get(slug="38c3")
    assert (event.name, event.acronym, event.timezone) == ("38C3", "38c3", "Europe/Berlin")
    opening = Session.objects.get(guid=uuid.UUID("270fa44c-821a-577f-8ca3-33e8d4a8c2a7"))
    assert opening.title == "38C3: Opening Ceremony"
    assert opening.frab_id == 2
    assert opening.starts_at == dt.datetime(2024, 12, 27, 9, 30, tzinfo=dt.UTC)
    assert opening.duration == dt.timedelta(minutes=30)
    assert opening.room.name == "Saal 1"
    assert opening.track.name == "CCC"
    assert opening.session_type.name == "Ceremony"
    assert opening.abstract.startswith("Glad you could make it!")
    assert "This ceremony will prepare you" in opening.description  # kept apart
    assert "This ceremony" not in opening.abstract
    assert "Gabriela Bogk" in [s.name for s in opening.speakers.all()]
    assert Track.objects.get(event=event, name="Science").color == "#00a356"


def test_pretalx_json_details():
    run_import(SAMPLES / "pretalx-democon.schedule.json", "democon")
    session = Session.objects.get(guid=uuid.UUID("8079583e-8321-506c-95af-fd2903a5f075"))
    assert session.title == "Focused 5thgeneration hardware"
    assert session.starts_at == dt.datetime(2020, 12, 14, 8, 0, tzinfo=dt.UTC)
    assert session.duration == dt.timedelta(minutes=30)
    assert session.room.name == "Gray Room" and session.track.name == "Phased"
    assert session.slug == "focused-5thgeneration-hardware"
    speaker = session.speakers.get()
    assert speaker.name == "Brian Robinson"
    assert speaker.bio.startswith("Break through direction.")


def test_debconf_wafer_details():
    run_import(SAMPLES / "debconf23.wafer.schedule.xml", "debconf23")
    event = Event.objects.get(slug="debconf23")
    assert event.timezone == "Asia/Kolkata"
    assert (event.start_date, event.end_date) == (dt.date(2023, 9, 10), dt.date(2023, 9, 18))
    opening = Session.objects.get(guid=uuid.UUID("455d075f-48c0-2ec2-24b3-f5add30c383a"))
    assert opening.title == "Opening Ceremony" and opening.frab_id == 35
    assert opening.starts_at == dt.datetime(2023, 9, 10, 5, 0, tzinfo=dt.UTC)
    assert opening.duration == dt.timedelta(minutes=20)
    assert opening.room.name == "Anamudi"
    assert (opening.abstract, opening.description) == ("", "Welcome to DebConf23")
    assert "Sruthi Chandran" in [s.name for s in opening.speakers.all()]


def test_engelsystem_repairs_are_reported():
    output = run_import(SAMPLES / "engelsystem-schedule-multiple.xml", "engel")
    assert "repaired or skipped: Acronym “test-4” became “test_4”" in output
    assert (
        "repaired or skipped: The file names no time zone; its times are in UTC (+00:00), so "
        "UTC was used." in output
    )
    event = Event.objects.get(slug="engel")
    assert event.acronym == "test_4" and event.timezone == "UTC"
    first = Session.objects.get(guid=uuid.UUID("3e896c59-0d90-4817-8f74-af7fbb758f32"))
    assert first.starts_at == dt.datetime(2042, 10, 2, 10, 0, tzinfo=dt.UTC)
    assert first.duration == dt.timedelta(minutes=90)


@pytest.mark.parametrize("name", ["38c3-excerpt.schedule.xml", "pretalx-democon.schedule.json"])
def test_importing_twice_updates_instead_of_duplicating(name):
    run_import(SAMPLES / name, "twice")
    first = counts()
    guids = set(Session.objects.values_list("guid", flat=True))
    output = run_import(SAMPLES / name, "twice")
    assert counts() == first
    assert set(Session.objects.values_list("guid", flat=True)) == guids
    sessions = EXPECTED[name]["sessions"]
    assert "created nothing; updated nothing" in output
    assert f"unchanged 1 event, {sessions} sessions" in output
    assert "Nothing changed: the file matches what is stored." in output


def test_reimport_updates_what_changed_and_keeps_local_additions(tmp_path):
    source = (SAMPLES / "engelsystem-schedule-multiple.xml").read_text(encoding="utf-8")
    run_import(SAMPLES / "engelsystem-schedule-multiple.xml", "engel")
    event = Event.objects.get(slug="engel")
    local = SessionFactory(event=event, title="Added by hand")
    changed = tmp_path / "changed.xml"
    changed.write_text(source.replace("<title>First event</title>", "<title>Renamed</title>"))
    run_import(changed, "engel")
    first = Session.objects.get(guid=uuid.UUID("3e896c59-0d90-4817-8f74-af7fbb758f32"))
    assert first.title == "Renamed"
    assert Session.objects.filter(pk=local.pk).exists()
    assert Session.objects.filter(event=event).count() == 6


def test_draft_imports_drafts():
    output = run_import(SAMPLES / "38c3-excerpt.schedule.xml", "draft38", "--draft")
    assert "18 sessions" in output
    event = Event.objects.get(slug="draft38")
    assert not event.is_published
    statuses = set(Session.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == {Session.Status.DRAFT}


def test_draft_into_a_published_event_shows_nothing_yet():
    EventFactory(slug="live38", start_date=dt.date(2024, 12, 27), end_date=dt.date(2024, 12, 30))
    run_import(SAMPLES / "38c3-excerpt.schedule.xml", "live38", "--draft")
    exported = json.loads(Client().get("/live38/schedule.json").content)
    days = exported["schedule"]["conference"]["days"]
    assert [e for day in days for room in day["rooms"].values() for e in room] == []
    # Importing again without --draft publishes them.
    run_import(SAMPLES / "38c3-excerpt.schedule.xml", "live38")
    statuses = set(Session.objects.filter(event__slug="live38").values_list("status", flat=True))
    assert statuses == {Session.Status.PUBLISHED}


def test_an_ics_file_is_refused_clearly(tmp_path):
    path = tmp_path / "conference.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        "UID:1@x\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300101T100000Z\r\n"
        "SUMMARY:Talk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = refused(path, "ics")
    assert "iCalendar" in message and "schedule.xml or schedule.json" in message
    assert not Event.objects.filter(slug="ics").exists()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*nothing-here.xml"):
        run_import(tmp_path / "nothing-here.xml", "missing")
    assert counts() == dict.fromkeys(counts(), 0)


# Bad files -------------------------------------------------------------------------

GOOD_GUID = "11111111-2222-4333-8444-555555555555"
OTHER_GUID = "66666666-7777-4888-9999-000000000000"


def xml_event(
    ident,
    guid,
    title="A good talk",
    date="2030-03-01T10:00:00+01:00",
    duration="00:30",
    person="Pat Speaker",
) -> str:
    return (
        f'   <event id="{ident}" guid="{guid}">\n'
        f"    <date>{date}</date>\n"
        f"    <start>10:00</start>\n"
        f"    <duration>{duration}</duration>\n"
        f"    <room>Room 1</room>\n"
        f"    <title>{title}</title>\n"
        f"    <type>Talk</type>\n"
        f"    <abstract>Words.</abstract>\n"
        f"    <persons><person>{person}</person></persons>\n"
        f"   </event>\n"
    )


def xml_doc(*events: str, title: str = "Bad Conf") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<schedule>\n"
        " <version>1</version>\n"
        " <conference>\n"
        f"  <title>{title}</title>\n"
        "  <acronym>badconf</acronym>\n"
        "  <start>2030-03-01</start>\n"
        "  <end>2030-03-02</end>\n"
        "  <time_zone_name>Europe/Berlin</time_zone_name>\n"
        " </conference>\n"
        ' <day index="1" date="2030-03-01" start="2030-03-01T09:00:00+01:00"'
        ' end="2030-03-01T18:00:00+01:00">\n'
        '  <room name="Room 1">\n' + "".join(events) + "  </room>\n </day>\n</schedule>\n"
    )


def json_event(
    ident,
    guid,
    title="A good talk",
    date="2030-03-01T10:00:00+01:00",
    duration="00:30",
    person="Pat Speaker",
) -> dict:
    return {
        "id": ident,
        "guid": guid,
        "date": date,
        "start": "10:00",
        "duration": duration,
        "room": "Room 1",
        "title": title,
        "type": "Talk",
        "abstract": "Words.",
        "persons": [{"name": person}],
    }


def json_doc(*events: dict, title: str = "Bad Conf") -> str:
    document = {
        "schedule": {
            "version": "1",
            "conference": {
                "acronym": "badconf",
                "title": title,
                "start": "2030-03-01",
                "end": "2030-03-02",
                "time_zone_name": "Europe/Berlin",
                "days": [{"index": 1, "date": "2030-03-01", "rooms": {"Room 1": list(events)}}],
            },
        }
    }
    return json.dumps(document, indent=1, ensure_ascii=False)


# The first event of every bad file is good (and renames what the good file made), so
# that a half-applied import would show.
RENAMED = {"title": "Renamed talk", "person": "Someone New"}


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def at_event(text: str, ident: int) -> str:
    """How the importer names an XML event: its line and its id."""
    tag = f'<event id="{ident}"'
    return f"line {line_of(text, tag)}, {tag}>"


def bad_files() -> list:
    """(id, file name, content, [what the message must name])."""
    cases = []
    text = xml_doc(
        xml_event(1, GOOD_GUID, **RENAMED), xml_event(2, OTHER_GUID).replace("</title>", "</titel>")
    )
    cases.append(("malformed-xml", "bad.xml", text, [f"line {line_of(text, '</titel>')}"]))
    text = json_doc(json_event(1, GOOD_GUID, **RENAMED), json_event(2, OTHER_GUID))
    broken = text.replace('"type": "Talk",\n', '"type": "Talk",,\n', 2)
    line = line_of(broken, ",,")
    column = len(broken.splitlines()[line - 1].split(",,")[0]) + 2
    cases.append(("malformed-json", "bad.json", broken, [f"line {line}, column {column}"]))
    cases.append(
        (
            "xml-conference-without-title",
            "bad.xml",
            xml_doc(xml_event(1, GOOD_GUID, **RENAMED), title="  "),
            ["line 4", "<conference> has no <title>"],
        )
    )
    cases.append(
        (
            "json-conference-without-title",
            "bad.json",
            json_doc(json_event(1, GOOD_GUID, **RENAMED), title=""),
            ["$.schedule.conference", "“title”"],
        )
    )
    text = xml_doc(xml_event(1, GOOD_GUID, **RENAMED), xml_event(2, OTHER_GUID, title=" "))
    cases.append(
        (
            "xml-event-without-title",
            "bad.xml",
            text,
            [at_event(text, 2), "title is missing"],
        )
    )
    text = xml_doc(xml_event(1, GOOD_GUID, **RENAMED), xml_event(2, OTHER_GUID, duration="1h"))
    cases.append(
        (
            "xml-bad-duration",
            "bad.xml",
            text,
            [at_event(text, 2), "duration “1h”"],
        )
    )
    cases.append(
        (
            "json-bad-duration",
            "bad.json",
            json_doc(json_event(1, GOOD_GUID, **RENAMED), json_event(2, OTHER_GUID, duration="1h")),
            ["$.schedule.conference.days[0].rooms['Room 1'][1]", "duration “1h”"],
        )
    )
    text = xml_doc(
        xml_event(1, GOOD_GUID, **RENAMED), xml_event(2, OTHER_GUID, date="next tuesday")
    )
    cases.append(
        (
            "xml-date-no-date",
            "bad.xml",
            text,
            [at_event(text, 2), "date “next tuesday”"],
        )
    )
    cases.append(
        (
            "json-date-no-date",
            "bad.json",
            json_doc(
                json_event(1, GOOD_GUID, **RENAMED),
                json_event(2, OTHER_GUID, date="2030-02-30T10:00:00+01:00"),
            ),
            [
                "$.schedule.conference.days[0].rooms['Room 1'][1]",
                "date “2030-02-30T10:00:00+01:00”",
            ],
        )
    )
    text = xml_doc(
        xml_event(1, GOOD_GUID, **RENAMED),
        xml_event(2, OTHER_GUID, date="9999-12-31T23:30:00+00:00", duration="01:00"),
    )
    cases.append(("xml-date-out-of-range", "bad.xml", text, [at_event(text, 2), "out of range"]))
    cases.append(
        ("xml-wrong-root", "bad.xml", '<?xml version="1.0"?>\n<html/>', ["line 2", "<html>"])
    )
    cases.append(
        (
            "json-without-days",
            "bad.json",
            json.dumps({"schedule": {"conference": {"title": "X"}}}),
            ["$.schedule.conference", "“days”"],
        )
    )
    cases.append(("neither", "bad.txt", "Talk at ten, room one.", ["neither frab XML nor"]))
    return [pytest.param(name, content, needles, id=case) for case, name, content, needles in cases]


@pytest.mark.parametrize("existing", [False, True], ids=["new-event", "existing-event"])
@pytest.mark.parametrize(("name", "content", "needles"), bad_files())
def test_bad_file_is_refused_naming_the_place_and_changes_nothing(
    tmp_path, existing, name, content, needles
):
    if existing:
        good = tmp_path / "good.xml"
        good.write_text(xml_doc(xml_event(1, GOOD_GUID)), encoding="utf-8")
        run_import(good, "badconf")
        assert Session.objects.get().title == "A good talk"
    snapshot = list(Session.objects.values_list("guid", "title", "starts_at", "ends_at"))
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    message = refused(path, "badconf")
    for needle in needles:
        assert needle in message, (needle, message)
    assert list(Session.objects.values_list("guid", "title", "starts_at", "ends_at")) == snapshot
    assert not Speaker.objects.filter(name="Someone New").exists()
    assert Event.objects.filter(slug="badconf").exists() is existing


def test_numbers_beyond_the_database_range_are_repaired(tmp_path):
    """Ids and capacities are 32-bit integers in the database: larger ones are not
    stored (PostgreSQL would fail half-way), the id is replaced and reported."""
    text = json_doc(json_event(99_999_999_999, GOOD_GUID), json_event(7, OTHER_GUID))
    text = text.replace('"days"', '"rooms": [{"name": "Room 1", "capacity": 99999999999}], "days"')
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    output = run_import(path, "big")
    assert "id “99999999999” is not a positive 32-bit integer" in output
    session = Session.objects.get(guid=uuid.UUID(GOOD_GUID))
    assert 0 < session.frab_id < 2**31 and session.frab_id != 7
    assert Session.objects.get(guid=uuid.UUID(OTHER_GUID)).frab_id == 7
    assert Room.objects.get().capacity is None

    infinite = tmp_path / "infinite.json"
    infinite.write_text(text.replace("99999999999}", "Infinity}"), encoding="utf-8")
    run_import(infinite, "big")
    assert Room.objects.get().capacity is None


def test_the_good_variant_of_the_bad_files_imports(tmp_path):
    """The hand-made files are only bad where the test breaks them."""
    for name, text in (
        ("good.xml", xml_doc(xml_event(1, GOOD_GUID), xml_event(2, OTHER_GUID))),
        ("good.json", json_doc(json_event(1, GOOD_GUID), json_event(2, OTHER_GUID))),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        run_import(path, f"good-{name[-4:]}")
    assert Session.objects.count() == 4
    session = Session.objects.get(event__slug="good-.xml", guid=uuid.UUID(OTHER_GUID))
    assert session.starts_at == dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC)


# Hostile XML ------------------------------------------------------------------------


def billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE schedule [\n'
        + "\n".join(entities)
        + "\n]>\n"
        + xml_doc(xml_event(1, GOOD_GUID, title="Laughs &lol9;")).split("\n", 1)[1]
    )


def quadratic_blowup() -> str:
    big = "A" * 50_000
    body = xml_doc(xml_event(1, GOOD_GUID)).split("\n", 1)[1]
    body = body.replace("<abstract>Words.</abstract>", f"<abstract>{'&a;' * 20_000}</abstract>")
    return f'<?xml version="1.0"?>\n<!DOCTYPE schedule [<!ENTITY a "{big}">]>\n{body}'


@pytest.mark.parametrize("make", [billion_laughs, quadratic_blowup])
def test_entity_expansion_bombs_are_refused_quickly(tmp_path, make):
    path = tmp_path / "bomb.xml"
    path.write_text(make(), encoding="utf-8")
    started = time.monotonic()
    message = refused(path, "bomb")
    assert time.monotonic() - started < 5
    assert "XML" in message
    assert not Event.objects.filter(slug="bomb").exists()


XXE_DOCTYPES = [
    '<!DOCTYPE schedule [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE schedule [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    '<!DOCTYPE schedule SYSTEM "file:///etc/passwd">',
    '<!DOCTYPE schedule [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>',
]


@pytest.mark.parametrize("doctype", XXE_DOCTYPES)
def test_external_entities_are_never_read(tmp_path, doctype):
    body = xml_doc(xml_event(1, GOOD_GUID, person="Eve &xxe;")).split("\n", 1)[1]
    body = body.replace("<abstract>Words.</abstract>", "<abstract>Leak: &xxe; end</abstract>")
    path = tmp_path / "xxe.xml"
    path.write_text(f'<?xml version="1.0"?>\n{doctype}\n{body}', encoding="utf-8")
    text = path.read_text()
    started = time.monotonic()
    message = refused(path, "xxe")
    assert time.monotonic() - started < 5
    where = f"line {line_of(text, 'Leak: &xxe;')}"
    assert f"{where}: the entity reference &xxe; in <abstract>" in message
    for line in Path("/etc/passwd").read_text().splitlines()[:3]:
        assert line not in message
        assert stored_anywhere(line) == []
    assert stored_anywhere("root:") == []


def test_internal_entities_are_refused_rather_than_cut_short(tmp_path):
    """Entities are not resolved, so "The &co; talk" would be stored as "The"."""
    body = xml_doc(xml_event(1, GOOD_GUID, title="The &co; talk")).split("\n", 1)[1]
    path = tmp_path / "entity.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE schedule [<!ENTITY co "Company">]>\n{body}',
        encoding="utf-8",
    )
    message = refused(path, "entity")
    assert f"line {line_of(path.read_text(), '&co;')}: the entity reference &co; in <title>" in (
        message
    )
    assert not Session.objects.exists()


def test_predefined_entities_and_character_references_are_fine(tmp_path):
    body = xml_doc(xml_event(1, GOOD_GUID, title="AT&amp;T &lt;3 caf&#233; &#x2615;"))
    path = tmp_path / "ok.xml"
    path.write_text(body, encoding="utf-8")
    run_import(path, "chars")
    assert Session.objects.get().title == "AT&T <3 café ☕"


# The admin upload ---------------------------------------------------------------------


def upload(client, event, name: str, content: bytes, draft: bool = False, confirm=True):
    """Upload (a preview that writes nothing), then confirm the import as the page offers."""
    url = reverse("admin:schedule_session_import", args=[event.pk])
    data = {"file": SimpleUploadedFile(name, content)}
    if draft:
        data["draft"] = "on"
    response = client.post(url, data)
    pending = response.context.get("pending") if response.context else None
    if not confirm or pending is None:
        return response
    return client.post(url, {"pending": str(pending.pk)})


ENGEL_DATES = {"start_date": dt.date(2042, 10, 1), "end_date": dt.date(2042, 10, 2)}


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_admin_upload_shows_the_same_report_as_the_command(superuser_client):
    sample = SAMPLES / "engelsystem-schedule-multiple.xml"
    by_command = EventFactory(slug="by-command", **ENGEL_DATES)
    output = run_import(sample, by_command.slug).splitlines()
    summary = output[0].split(": ", 1)[1]
    notes = [line.removeprefix("  repaired or skipped: ") for line in output[1:]]
    assert "updated 1 event" in summary and "5 sessions" in summary
    assert len(notes) == 2  # the acronym, and the zone guessed for an event without sessions

    event = EventFactory(slug="by-upload", **ENGEL_DATES)
    url = reverse("admin:schedule_session_import", args=[event.pk])
    assert superuser_client.get(url).status_code == 200
    response = upload(superuser_client, event, sample.name, sample.read_bytes())
    assert response.status_code == 200
    text = page_text(response)
    # The upload leaves the event's name and acronym alone; the sessions are the same.
    assert "<h2>Imported: frab XML: created 3 rooms, 3 tracks, 1 type, 5 sessions;" in text
    assert "created 3 rooms, 3 tracks, 1 type, 5 sessions;" in summary
    for note in notes:
        assert f"  repaired or skipped: {note}" in text
    assert Session.objects.filter(event=event).count() == 5


def test_admin_upload_can_import_drafts(superuser_client):
    event = EventFactory(
        slug="drafts", start_date=dt.date(2020, 12, 14), end_date=dt.date(2020, 12, 16)
    )
    sample = SAMPLES / "pretalx-democon.schedule.json"
    response = upload(superuser_client, event, sample.name, sample.read_bytes(), draft=True)
    assert response.status_code == 200
    statuses = set(Session.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == {Session.Status.DRAFT}


def test_admin_upload_of_a_bad_file_changes_nothing(superuser_client):
    event = EventFactory(slug="badconf")
    SessionSpeakerFactory(session=SessionFactory(event=event, title="Kept"))
    before = counts()
    text = xml_doc(xml_event(1, GOOD_GUID, **RENAMED), xml_event(2, OTHER_GUID, duration="1h"))
    response = upload(superuser_client, event, "bad.xml", text.encode())
    assert response.status_code == 400
    page = page_text(response)
    assert "Nothing was imported." in page
    assert 'line 23, <event id="2">: duration “1h” is not HH:MM.' in page
    assert counts() == before
    assert list(Session.objects.values_list("title", flat=True)) == ["Kept"]


def test_admin_upload_for_an_organizer_of_the_event(db):
    membership = MembershipFactory(event=EventFactory(**ENGEL_DATES))
    client = Client()
    client.force_login(membership.user)
    sample = SAMPLES / "engelsystem-schedule-multiple.xml"
    response = upload(client, membership.event, sample.name, sample.read_bytes())
    assert response.status_code == 200
    assert Session.objects.filter(event=membership.event).count() == 5


def test_admin_upload_into_another_organizers_event_is_not_found(db):
    mine = MembershipFactory()
    theirs = EventFactory(slug="theirs")
    client = Client()
    client.force_login(mine.user)
    url = reverse("admin:schedule_session_import", args=[theirs.pk])
    assert client.get(url).status_code == 404
    before = counts()
    sample = SAMPLES / "engelsystem-schedule-multiple.xml"
    assert upload(client, theirs, sample.name, sample.read_bytes()).status_code == 404
    assert counts() == before


# Lossless round trip (issue 11) -----------------------------------------------------

SHARED = Path(__file__).resolve().parents[3] / "shared" / "samples"
ROUND_TRIP_FIELDS = (
    "title", "subtitle", "abstract", "description", "language", "do_not_record",
    "recording_license", "track", "type", "room", "date", "start", "duration",
)  # fmt: skip


def frab_events(document: dict) -> dict[str, dict]:
    days = document["schedule"]["conference"]["days"]
    return {e["guid"]: e for d in days for room in d["rooms"].values() for e in room}


def normalized(text: str) -> str:
    return "\n".join(text.splitlines()).strip()


def same_person(ours: dict, theirs: dict) -> bool:
    name = (theirs.get("name") or theirs.get("public_name")).strip()
    if theirs.get("code"):
        return ours.get("code") == theirs["code"] and ours["name"] == name
    return ours["name"] == name


@pytest.mark.parametrize(
    "name",
    [
        "good/pretalx-democon.schedule.json",
        "real-world/rc3.pretalx.schedule.json",
        "real-world/camp2019.frab.schedule.json",
    ],
)
def test_round_trip_keeps_every_field_of_the_frab_json(name):
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not there")
    source = json.loads(path.read_bytes())
    output = run_import(path, "trip")
    exported = json.loads(Client().get("/trip/schedule.json").content)
    theirs, ours = frab_events(source), frab_events(exported)
    assert set(ours) == set(theirs)
    for guid, event in theirs.items():
        mine = ours[guid]
        for field_name in ROUND_TRIP_FIELDS:
            expected = event.get(field_name)
            if field_name == "language" and not expected:
                continue  # no language in the file: the event's is written
            if field_name in ("date", "start"):
                continue  # below: the same instant (the file may contradict its own zone)
            if isinstance(expected, str):
                expected = normalized(expected)  # line ends become LF, ends are trimmed
            assert mine[field_name] == (expected or type(mine[field_name])()), (
                guid, field_name, mine[field_name], expected,
            )  # fmt: skip
        moment = dt.datetime.fromisoformat(mine["date"])
        assert moment == dt.datetime.fromisoformat(event["date"])
        if moment.utcoffset() == dt.datetime.fromisoformat(event["date"]).utcoffset():
            assert mine["start"] == event["start"]
        if event.get("id"):
            assert mine["id"] == event["id"]
        links = [{"url": link["url"], "title": link.get("title", "")} for link in event["links"]]
        if "read as https://" not in output:
            assert mine["links"] == links
        assert len(mine["persons"]) == len(event["persons"])
        for person, theirs_person in zip(mine["persons"], event["persons"], strict=True):
            assert same_person(person, theirs_person), (person, theirs_person)
            assert isinstance(person["id"], int)
            if theirs_person.get("biography") is not None:
                assert person["biography"] == normalized(theirs_person["biography"])
    room_guids = {
        room["name"]: room["guid"] for room in source["schedule"]["conference"].get("rooms", [])
    }
    exported_rooms = {
        room["name"]: room["guid"] for room in exported["schedule"]["conference"]["rooms"]
    }
    for room_name, guid in room_guids.items():
        if list(room_guids.values()).count(guid) == 1:
            assert exported_rooms[room_name] == guid


def people_json(*people: dict, title: str = "A good talk", ident: int = 1, guid=GOOD_GUID) -> str:
    event = json_event(ident, guid, title=title)
    event["persons"] = list(people)
    return json_doc(event)


def test_two_people_with_one_name_stay_two_speakers(tmp_path):
    path = tmp_path / "namesakes.json"
    path.write_text(
        people_json(
            {"code": "AAAAAA", "name": "Alex Kim", "biography": "Writes compilers."},
            {"code": "BBBBBB", "name": "Alex Kim", "biography": "Paints murals."},
        )
    )
    run_import(path, "namesakes")
    run_import(path, "namesakes")
    speakers = Speaker.objects.filter(event__slug="namesakes").order_by("code")
    assert [(s.name, s.code, s.bio) for s in speakers] == [
        ("Alex Kim", "AAAAAA", "Writes compilers."),
        ("Alex Kim", "BBBBBB", "Paints murals."),
    ]
    assert len({s.slug for s in speakers}) == 2 and len({s.frab_id for s in speakers}) == 2


def test_a_person_is_matched_by_code_before_name(tmp_path):
    path = tmp_path / "renamed.json"
    path.write_text(people_json({"code": "CCCCCC", "name": "Sam Old", "biography": "Bio."}))
    run_import(path, "renamed")
    speaker = Speaker.objects.get(event__slug="renamed")
    path.write_text(people_json({"code": "CCCCCC", "name": "Sam New", "biography": "Bio."}))
    output = run_import(path, "renamed")
    assert "updated 1 speaker" in output
    speaker.refresh_from_db()
    assert speaker.name == "Sam New" and Speaker.objects.count() == 1
    # A file with a new code but the old name is another person.
    path.write_text(people_json({"code": "DDDDDD", "name": "Sam New"}))
    run_import(path, "renamed")
    assert Speaker.objects.filter(event__slug="renamed").count() == 2


def test_names_only_match_by_name(tmp_path):
    path = tmp_path / "names.json"
    path.write_text(people_json({"name": "Jo Name"}))
    run_import(path, "names")
    run_import(path, "names")
    assert Speaker.objects.filter(name="Jo Name").count() == 1


def test_an_unchanged_reimport_writes_no_row(tmp_path):
    path = SAMPLES / "pretalx-democon.schedule.json"
    run_import(path, "still")
    event = Event.objects.get(slug="still")
    before = (
        list(Session.objects.order_by("pk").values_list("updated_at", "version")),
        list(Speaker.objects.order_by("pk").values_list("updated_at", flat=True)),
        event.changed_at,
    )
    with CaptureQueriesContext(connection) as queries:
        output = run_import(path, "still")
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]  # fmt: skip
    assert writes == []
    assert "Nothing changed: the file matches what is stored." in output
    event.refresh_from_db()
    after = (
        list(Session.objects.order_by("pk").values_list("updated_at", "version")),
        list(Speaker.objects.order_by("pk").values_list("updated_at", flat=True)),
        event.changed_at,
    )
    assert after == before


# See before you change: --dry-run, missing sessions, --prune -------------------------


def test_dry_run_reports_field_by_field_and_writes_nothing(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json_doc(json_event(1, GOOD_GUID), json_event(2, OTHER_GUID)))
    run_import(path, "preview")
    before = counts()
    snapshot = list(Session.objects.values_list("guid", "title", "version", "updated_at"))
    path.write_text(
        json_doc(json_event(1, GOOD_GUID, title="A better talk"),
                 json_event(3, "99999999-7777-4888-9999-000000000000", title="New one"))
    )  # fmt: skip
    output = run_import(path, "preview", "--dry-run", "--prune")
    assert "would create 1 session" in output
    assert "would update 1 session" in output
    assert "changed “A better talk”:" in output
    assert "    title: A good talk → A better talk" in output
    assert "1 session is not in the file and would be cancelled." in output
    assert "not in the file: A good talk (2030-03-01 10:00)" in output
    assert "Dry run: nothing was written." in output
    assert counts() == before
    assert list(Session.objects.values_list("guid", "title", "version", "updated_at")) == snapshot


def test_missing_sessions_are_listed_and_pruning_cancels_them(tmp_path):
    path = tmp_path / "two.json"
    path.write_text(json_doc(json_event(1, GOOD_GUID), json_event(2, OTHER_GUID, title="Gone")))
    run_import(path, "prune")
    path.write_text(json_doc(json_event(1, GOOD_GUID)))
    output = run_import(path, "prune")
    assert "1 session is not in the file (kept; --prune cancels it)." in output
    assert "not in the file: Gone (2030-03-01 10:00)" in output
    gone = Session.objects.get(title="Gone")
    assert gone.status == Session.Status.PUBLISHED
    output = run_import(path, "prune", "--prune")
    assert "1 session is not in the file and was cancelled." in output
    gone.refresh_from_db()
    assert gone.status == Session.Status.CANCELLED  # never deleted
    assert gone.version > 1


def test_import_schedule_function_gives_a_preview_for_the_admin():
    data = (SAMPLES / "engelsystem-schedule-multiple.xml").read_bytes()
    report = import_schedule(data, "adminpreview", dry_run=True)
    assert report.dry_run and not Event.objects.filter(slug="adminpreview").exists()
    text = report.preview()
    assert text.startswith("frab XML: would create 1 event")
    assert "repaired or skipped: Acronym “test-4” became “test_4”" in text


def test_a_new_event_takes_name_days_and_zone_from_the_file():
    run_import(SAMPLES / "38c3-excerpt.schedule.xml", "fresh")
    event = Event.objects.get(slug="fresh")
    assert (event.name, event.timezone) == ("38C3", "Europe/Berlin")
    assert (event.start_date, event.end_date) == (dt.date(2024, 12, 27), dt.date(2024, 12, 30))


def test_an_existing_event_is_widened_with_a_note():
    narrow = EventFactory(slug="narrow", start_date=dt.date(2024, 12, 28),
                          end_date=dt.date(2024, 12, 28), timezone="Europe/Berlin")  # fmt: skip
    SessionFactory(event=narrow, title="Already here")
    output = run_import(SAMPLES / "38c3-excerpt.schedule.xml", "narrow")
    assert "The event ran 2024-12-28 to 2024-12-28; it now runs 2024-12-27 to 2024-12-30" in output
    event = Event.objects.get(slug="narrow")
    assert (event.start_date, event.end_date) == (dt.date(2024, 12, 27), dt.date(2024, 12, 30))


# What attendees see -----------------------------------------------------------------


def test_session_page_shows_description_language_and_recording(tmp_path):
    event = EventFactory(slug="page", language="en")
    session = SessionFactory(
        event=event, status=Session.Status.PUBLISHED, abstract="Short **abstract**.",
        description="The *longer* description.", language="de", do_not_record=True,
        subtitle="A subtitle", links=[{"url": "https://example.org/slides", "title": "Slides"}],
    )  # fmt: skip
    text = Client().get(session.get_absolute_url()).content.decode()
    assert text.index("<strong>abstract</strong>") < text.index("<em>longer</em> description")
    assert '<dd lang="de">de</dd>' in text
    assert "Not recorded" in text and "A subtitle" in text
    assert '<a href="https://example.org/slides" rel="nofollow noopener">Slides</a>' in text
    plain = SessionFactory(event=event, status=Session.Status.PUBLISHED, language="en")
    text = Client().get(plain.get_absolute_url()).content.decode()
    assert "<dt>Language</dt>" not in text and "Not recorded" not in text


def test_an_empty_event_from_the_admin_takes_the_files_days_and_zone():
    """The admin makes the event first (UTC, the form's dates), then uploads: the 38C3
    excerpt used to give 17 day tabs in UTC."""
    day = dt.date(2024, 12, 15)
    event = EventFactory(slug="made-in-admin", name="My name", timezone="UTC", start_date=day,
                         end_date=day)  # fmt: skip
    data = (SAMPLES / "38c3-excerpt.schedule.xml").read_bytes()
    report = import_schedule(data, event.slug, update_event=False)
    event.refresh_from_db()
    assert (event.name, event.timezone) == ("My name", "Europe/Berlin")
    assert (event.start_date, event.end_date) == (dt.date(2024, 12, 27), dt.date(2024, 12, 30))
    assert any("The event had no sessions yet" in note for note in report.notes)
    # Once it has sessions, another upload only widens it.
    later = data.replace(b"2024-12-30", b"2024-12-31")
    import_schedule(later, event.slug, update_event=False)
    event.refresh_from_db()
    assert event.end_date == dt.date(2024, 12, 31) and event.timezone == "Europe/Berlin"


def test_repair_notes_read_in_the_organizers_language_with_the_files_values():
    talk = xml_event(1, GOOD_GUID, title="Ein\x07 Vortrag", duration="00:00")
    again = xml_event(1, OTHER_GUID, title="Zweiter Vortrag", duration="00:00")
    doc = xml_doc(talk, again)
    with translation.override("de"):
        text = import_schedule(doc.encode(), "notes-de", dry_run=True).preview()
    first, second = line_of(doc, f'guid="{GOOD_GUID}"'), line_of(doc, f'guid="{OTHER_GUID}"')
    bell = line_of(doc, "\x07")
    assert f"Zeile {bell}: 1 Steuerzeichen, das XML nicht enthalten darf, wurde" in text
    # One kind of repair once, with its places; the file's value quoted as it is.
    assert (
        "Dauer „00:00“ ist null; der Programmpunkt erhielt 5 Minuten (ein Zeitraster). "
        f'(2-mal: Zeile {first}, <event id="1">; Zeile {second}, <event id="1">)'
    ) in text
    assert f'Zeile {second}, <event id="1">: ID 1 kommt zweimal vor' in text
    assert "repaired" not in text and "line " not in text
