"""Every file in ../shared/samples (issue 11): real exports of other systems.

Each imports with the counts read from the file itself and reports the repairs it
needed, by line; importing it again changes nothing and says so; its exports validate.
The iCalendar files are refused with a clear message and nothing stored.
"""

import datetime as dt
import io
import json
import uuid
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from lxml import etree

from events.models import Event, Room
from schedule.models import Session
from speakers.models import Speaker

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared" / "samples"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

if not SHARED.is_dir():  # CI and every session have ../shared; a bare clone may not
    pytest.skip(f"{SHARED} is not there", allow_module_level=True)


def run_import(path: Path, slug: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_schedule", str(path), "--event", slug, *args, stdout=out)
    return out.getvalue()


def people_in_xml(root) -> int:
    """People by the rule the importer follows: guid, else id (with the name where the
    file gives one id to several names), else name."""
    persons = root.findall("day/room/event/persons/person")
    names: dict[str, set[str]] = {}
    for p in persons:
        if not p.get("guid") and (p.get("id") or "0") != "0":
            names.setdefault(p.get("id"), set()).add(p.text.strip())
    keys = set()
    for p in persons:
        name, ident = p.text.strip(), p.get("id") or "0"
        if p.get("guid"):
            keys.add(p.get("guid"))
        elif ident != "0":
            keys.add((ident, name) if len(names[ident]) > 1 else ident)
        else:
            keys.add(name)
    return len(keys)


def count_file(path: Path) -> dict:
    """Sessions, rooms and people, read straight from the file."""
    if path.suffix == ".json":
        conference = json.loads(path.read_bytes())["schedule"]["conference"]
        events = [e for d in conference["days"] for room in d["rooms"].values() for e in room]
        people = {
            p.get("guid") or p.get("code") or p.get("id") or p.get("name")
            for e in events
            for p in e["persons"]
        }
        rooms = {e["room"] for e in events}
        return {"sessions": len(events), "rooms": len(rooms), "speakers": len(people)}
    root = etree.parse(str(path)).getroot()
    events = root.findall("day/room/event")
    rooms = {(e.findtext("room") or e.getparent().get("name")).strip() for e in events}
    return {"sessions": len(events), "rooms": len(rooms), "speakers": people_in_xml(root)}


# What each file must report, by line or JSON path: every repair it needs.
SAMPLES = {
    "good/38c3-excerpt.schedule.xml": {
        "numbers": {"sessions": 18, "rooms": 3, "speakers": 31},
        "notes": [],
    },
    "good/engelsystem-schedule-multiple.xml": {
        "numbers": {"sessions": 5, "rooms": 3, "speakers": 0},
        "notes": [
            "The file names no time zone; its times are in UTC (+00:00), so UTC was used.",
            "Acronym “test-4” became “test_4”",
        ],
    },
    "good/pretalx-democon.schedule.json": {
        "numbers": {"sessions": 36, "rooms": 2, "speakers": 27},
        "notes": ["Rooms “Gray Room” and “Tan Room” have the same guid"],
    },
    "real-world/36c3.frab.schedule.xml": {
        "numbers": {"sessions": 1351, "rooms": 92, "speakers": 923},
        "notes": [
            "so Europe/Berlin was guessed (the times themselves are kept)",
            'line 22684, <event id="399">: duration “00:00” is zero; the session was given '
            "10 minutes (one time slot).",
            'line 4774, <event id="367">: guid 81f5f0c4-3d35-522c-8f1c-c8825b92f00a is used '
            'twice (also at line 4746, <event id="367">)',
            'line 26058, <event id="390">: guid 4f5c1cc5-ad99-52dc-89cd-699eae66bcb8 is used twice',
            'line 14163, <event id="347">: guid bf48fa55-92a1-5481-a14a-f77cc0d4fccb is used twice',
            'line 4774, <event id="367">: id 367 is used twice',
            'line 3971, <event id="1098">: control characters removed from the description (U+007F',
            "person ids are each given to people of different names",
            'line 397, <event id="10957">',  # a link without a scheme
        ],
    },
    "real-world/fosdem2021.pentabarf.xml": {
        "numbers": {"sessions": 773, "rooms": 106, "speakers": 684},
        "notes": [
            "The file names no time zone; UTC was used (a guess: give --timezone to choose).",
            "no <date>; it was computed from the day's date, <start> and day_change. "
            '(773 times: line 16, <event id="11795">',
            "no guid; a stable one was derived from its id. (773 times",
        ],
    },
    "real-world/rc3.pretalx.schedule.json": {
        "numbers": {"sessions": 48, "rooms": 5, "speakers": 56},
        "notes": [
            "its times carry the offset(s) +01:00, so Europe/Berlin was guessed",
            "Acronym “rc3-channels-2020” became “rc3_channels_2020”",
        ],
    },
    "real-world/camp2019.frab.schedule.json": {
        "numbers": {"sessions": 79, "rooms": 2, "speakers": 90},
        "notes": [
            "$.schedule.conference.days[4].rooms['Curie'][0]: a link without a scheme",
            "Acronym “Camp2019” became “camp2019”",
        ],
    },
    "real-world/debconf23.wafer.schedule.xml": {
        "numbers": {"sessions": 117, "rooms": 5, "speakers": 87},
        "notes": [],
    },
}
CALENDARS = ["good/linux_conf_au_2020.ics", "real-world/kielux_2020.ics"]


def test_every_sample_is_covered():
    files = {str(p.relative_to(SHARED)) for p in SHARED.glob("*/*") if p.suffix != ".md"}
    assert files == set(SAMPLES) | set(CALENDARS)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_expected_numbers_are_the_files_own(name):
    assert count_file(SHARED / name) == SAMPLES[name]["numbers"]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_imports_reports_its_repairs_and_imports_again_unchanged(name):
    expected = SAMPLES[name]
    output = run_import(SHARED / name, "sample")
    event = Event.objects.get(slug="sample")
    numbers = {
        "sessions": Session.objects.filter(event=event).count(),
        "rooms": Room.objects.filter(event=event).count(),
        "speakers": Speaker.objects.filter(event=event).count(),
    }
    assert numbers == expected["numbers"], output
    for note in expected["notes"]:
        assert note in output, (note, output)
    if not expected["notes"]:
        assert "repaired or skipped" not in output
    # Every session has a time, a room, a positive id unique across the installation.
    sessions = Session.objects.filter(event=event)
    assert not sessions.filter(starts_at=None) and not sessions.filter(room=None)
    ids = list(Session.objects.values_list("frab_id", flat=True))
    assert all(ids) and len(set(ids)) == len(ids)

    stamps = sorted(sessions.values_list("updated_at", flat=True))
    again = run_import(SHARED / name, "sample")
    assert "created nothing; updated nothing;" in again
    assert "Nothing changed: the file matches what is stored." in again
    assert sorted(sessions.values_list("updated_at", flat=True)) == stamps


@pytest.mark.parametrize("name", CALENDARS)
def test_calendar_files_are_refused_clearly(name):
    with pytest.raises(CommandError) as caught:
        run_import(SHARED / name, "ics")
    assert "This is an iCalendar file, not a frab schedule" in str(caught.value)
    assert not Event.objects.exists() and not Session.objects.exists()


def test_pentabarf_dates_come_from_the_day_start_and_day_change():
    run_import(SHARED / "real-world/fosdem2021.pentabarf.xml", "fosdem", "--timezone",
               "Europe/Brussels")  # fmt: skip
    event = Event.objects.get(slug="fosdem")
    assert event.timezone == "Europe/Brussels"
    assert (event.start_date, event.end_date) == (dt.date(2021, 2, 6), dt.date(2021, 2, 7))
    welcome = Session.objects.get(event=event, frab_id=11795)
    # <day date="2021-02-06"> <start>09:00</start>, in Brussels (UTC+1 in February).
    assert welcome.starts_at == dt.datetime(2021, 2, 6, 8, 0, tzinfo=dt.UTC)
    assert welcome.duration == dt.timedelta(minutes=25)
    assert welcome.guid == uuid.uuid5(uuid.UUID("0f4c6d2e-8a51-5b7e-a3c9-2d1e0b9f8a76"),
                                      "fosdem_2021:11795")  # fmt: skip
    school = Session.objects.get(event=event, frab_id=11164)
    assert school.subtitle.startswith("Remotely accessing files")
    assert [s.name for s in school.speakers.order_by("session_links__position")] == [
        "Marco Marinello", "Paolo Dongilli",
    ]  # fmt: skip
    assert school.links[0]["url"].startswith("https://")


def test_pentabarf_times_before_day_change_belong_to_the_next_day(tmp_path):
    text = (SHARED / "real-world/fosdem2021.pentabarf.xml").read_text(encoding="utf-8")
    text = text.replace("<day_change>00:00:00</day_change>", "<day_change>09:30:00</day_change>")
    path = tmp_path / "late.xml"
    path.write_text(text, encoding="utf-8")
    run_import(path, "late", "--timezone", "UTC")
    welcome = Session.objects.get(event__slug="late", frab_id=11795)  # 09:00 < 09:30
    assert welcome.starts_at == dt.datetime(2021, 2, 7, 9, 0, tzinfo=dt.UTC)


def test_offsets_without_a_zone_keep_their_instants_and_local_times():
    """rC3 gives +01:00 and no zone: the instants are kept and the re-export shows the
    same local times (it used to read them as UTC, an hour off)."""
    source = json.loads((SHARED / "real-world/rc3.pretalx.schedule.json").read_bytes())
    run_import(SHARED / "real-world/rc3.pretalx.schedule.json", "rc3")
    event = Event.objects.get(slug="rc3")
    assert event.timezone == "Europe/Berlin"
    exported = json.loads(Client().get("/rc3/schedule.json").content)

    def dates(document):
        days = document["schedule"]["conference"]["days"]
        return sorted((e["guid"], e["date"], e["start"]) for d in days
                      for r in d["rooms"].values() for e in r)  # fmt: skip

    assert dates(exported) == dates(source)


def test_the_given_time_zone_wins_over_a_guess():
    run_import(SHARED / "real-world/36c3.frab.schedule.xml", "c36", "--timezone",
               "Europe/Amsterdam")  # fmt: skip
    event = Event.objects.get(slug="c36")
    assert event.timezone == "Europe/Amsterdam"
    opening = Session.objects.get(guid=uuid.UUID("6a32cb72-a69d-423c-91b5-60d88eb8e6c7"))
    assert opening.starts_at == dt.datetime(2019, 12, 27, 10, 0, tzinfo=dt.UTC)


def test_a_repeated_session_with_one_guid_is_two_sessions_and_stays_two():
    run_import(SHARED / "real-world/36c3.frab.schedule.xml", "c36")
    twins = Session.objects.filter(title="Beginners Workshop: How to Hack your Web Application")
    assert twins.count() == 2
    assert uuid.UUID("81f5f0c4-3d35-522c-8f1c-c8825b92f00a") in {s.guid for s in twins}
    kept = twins.get(frab_id=367)
    assert kept.starts_at == dt.datetime(2019, 12, 27, 15, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "name", ["real-world/rc3.pretalx.schedule.json", "real-world/debconf23.wafer.schedule.xml"]
)
def test_exports_of_an_imported_sample_validate(name):
    run_import(SHARED / name, "valid")
    xsd = xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))
    xsd.validate(etree.fromstring(Client().get("/valid/schedule.xml").content))
    schema = json.loads((SCHEMAS / "schema.json").read_text())
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(json.loads(Client().get("/valid/schedule.json").content))
