"""Reading a whole file: frab and pentabarf XML, frab and pretalx JSON. Stops at the
first real error with its position; repairs the rest and notes each repair."""

import datetime as dt
import json
import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from .import_data import (
    MAX_BYTES,
    MAX_INT,
    XML_BAD_BYTES,
    ImportProblem,
    ParsedSchedule,
    ParsedSession,
    Person,
    as_bool,
    as_list,
    positive_int,
    read_acronym,
    read_date,
    read_duration,
    read_frab_id,
    read_guid,
    read_language,
    read_links,
    read_moment,
    read_slot,
    read_text,
    read_title,
    read_uuid,
    read_zone,
    slug_from_frab,
)
from .import_notes import note, xml_place
from .import_repairs import repair_duplicates


def parse(data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
    """Read a whole file. ``timezone`` is the zone for times that carry no offset (and
    the event's zone when the file names none)."""
    if len(data) > MAX_BYTES:
        raise ImportProblem(_("The file is larger than 20 MB."))
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.startswith(b"<"):
        parsed = XMLReader(data, timezone).read()
    elif head.startswith(b"{"):
        parsed = JSONReader(data, timezone).read()
    elif head.upper().startswith(b"BEGIN:VCALENDAR"):
        raise ImportProblem(
            _(
                "This is an iCalendar file, not a frab schedule: export schedule.xml or "
                "schedule.json from the other system."
            )
        )
    else:
        raise ImportProblem(
            _("This is neither frab XML nor frab JSON (it starts with neither < nor {).")
        )
    repair_duplicates(parsed)
    return parsed


class XMLReader:
    def __init__(self, data: bytes, timezone: str | None = None):
        self.data = data
        self.notes: list[str] = []
        self.timezone = timezone

    def read(self) -> ParsedSchedule:
        data = self.data
        bad = XML_BAD_BYTES.search(data)
        if bad:
            line = data.count(b"\n", 0, bad.start()) + 1
            count = len(XML_BAD_BYTES.findall(data))
            data = XML_BAD_BYTES.sub(b"", data)
            what = ngettext(
                "%(count)d control character, which XML cannot hold, was removed from the file.",
                "%(count)d control characters, which XML cannot hold, were removed from the file.",
                count,
            )
            self.notes.append(note(_("line %(line)s") % {"line": line}, what % {"count": count}))
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise ImportProblem(_("The XML is malformed: %(exc)s") % {"exc": exc}) from None
        # Entities are never resolved (no XXE); an unresolved reference would silently cut
        # its element's text short ("The &co; talk" reads as "The"), so refuse the file.
        entity = next(root.iter(etree.Entity), None)
        if entity is not None:
            raise ImportProblem(
                _(
                    "line %(line)s: the entity reference %(entity)s in <%(element)s> is not read "
                    "(frab files declare no entities); write its text instead."
                )
                % {
                    "line": entity.sourceline,
                    "entity": entity.text,
                    "element": entity.getparent().tag,
                }
            )
        if root.tag != "schedule":
            raise ImportProblem(
                _("line %(line)s: the root element is <%(tag)s>, not <schedule>.")
                % {"line": root.sourceline, "tag": root.tag}
            )
        conference = root.find("conference")
        if conference is None:
            raise ImportProblem(_("line 1: <schedule> has no <conference>."))
        where = xml_place(conference.sourceline, "<conference>")
        title = read_text(conference.findtext("title"), where, "title", self.notes, line=True)
        if not title:
            raise ImportProblem(
                _("line %(line)s: <conference> has no <title>.") % {"line": conference.sourceline}
            )
        tz = read_zone(conference.findtext("time_zone_name"), self.notes)
        result = ParsedSchedule(
            format="XML",
            title=title,
            acronym=read_acronym(conference.findtext("acronym"), title, self.notes),
            timezone=tz,
            start=read_date(conference.findtext("start")),
            end=read_date(conference.findtext("end")),
            notes=self.notes,
        )
        self.zone = tz or self.timezone
        self.slot = read_slot(conference.findtext("timeslot_duration"))
        self.day_change = self._day_change(conference.findtext("day_change"))
        for track in conference.findall("track"):
            name = read_text(
                track.get("name") or track.text, where, "track name", self.notes, line=True
            )
            color = track.get("color") or ""
            if name and re.fullmatch(r"#[0-9a-fA-F]{6}", color):
                result.track_colors[name[:100]] = color.lower()
        for day in root.findall("day"):
            day_date = read_date(day.get("date") or "")
            for room in day.findall("room"):
                room_where = xml_place(room.sourceline, "<room>")
                room_name = read_text(
                    room.get("name"), room_where, "room name", self.notes, line=True
                )
                guid = read_uuid(room.get("guid"))
                if room_name and guid and room_name not in result.room_guids:
                    result.room_guids[room_name[:100]] = guid
                for event in room.findall("event"):
                    result.sessions.append(self.session(event, room_name, day_date, result))
        return result

    @staticmethod
    def _day_change(value: str | None) -> dt.time:
        try:
            return dt.time.fromisoformat((value or "").strip())
        except ValueError:
            return dt.time(0, 0)

    def _pentabarf_date(self, el, day_date, where: str) -> str:
        """Pentabarf gives no <date>: the day's date and <start>; times before the
        conference's day_change belong to the next calendar day."""
        start = (el.findtext("start") or "").strip()
        try:
            clock = dt.time.fromisoformat(start)
        except ValueError:
            raise ImportProblem(
                _("%(where)s: no <date>, and <start> “%(start)s” is not HH:MM.")
                % {"where": where, "start": start}
            ) from None
        if day_date is None:
            raise ImportProblem(
                _("%(where)s: no <date>, and its <day> has no date.") % {"where": where}
            )
        date = day_date + dt.timedelta(days=1) if clock < self.day_change else day_date
        what = _("no <date>; it was computed from the day's date, <start> and day_change.")
        self.notes.append(note(where, what))
        return dt.datetime.combine(date, clock).isoformat()

    def session(self, el, room_name: str, day_date, schedule: ParsedSchedule) -> ParsedSession:
        where = xml_place(el.sourceline, f'<event id="{el.get("id", "")[:20]}">')
        notes = self.notes
        title = read_title(el.findtext("title"), where, notes)
        frab_id = read_frab_id(el.get("id"), where, notes)
        date = el.findtext("date")
        if not (date or "").strip():
            date = self._pentabarf_date(el, day_date, where)
        starts_at = read_moment(date, where, schedule, self.zone)
        persons = []
        persons_el = el.find("persons")
        if persons_el is not None:
            for person in persons_el.findall("person"):
                name = read_text(person.text, where, "person's name", notes, line=True)
                if name:
                    persons.append(
                        Person(
                            name=name[:200],
                            guid=read_uuid(person.get("guid")),
                            frab_id=positive_int(person.get("id")),
                        )
                    )
        recording = el.find("recording")
        links_el = el.find("links")
        links = []
        if links_el is not None:
            links = [
                {"url": link.get("href"), "title": link.text} for link in links_el.findall("link")
            ]
        return ParsedSession(
            where=where,
            guid=read_guid(el.get("guid"), where, notes, f"{schedule.acronym}:{frab_id or title}"),
            frab_id=frab_id,
            title=title,
            slug=slug_from_frab(el.findtext("slug"), schedule.acronym, frab_id, title),
            subtitle=read_text(el.findtext("subtitle"), where, "subtitle", notes, line=True)[:300],
            abstract=read_text(el.findtext("abstract"), where, "abstract", notes, line=False),
            description=read_text(
                el.findtext("description"), where, "description", notes, line=False
            ),
            language=read_language(el.findtext("language"), where, notes),
            do_not_record=recording is not None and as_bool(recording.findtext("optout")),
            recording_license=(
                read_text(recording.findtext("license"), where, "licence", notes, line=True)[:200]
                if recording is not None
                else ""
            ),
            links=read_links(links, where, notes),
            starts_at=starts_at,
            ends_at=starts_at + read_duration(el.findtext("duration"), where, notes, self.slot),
            room=read_text(el.findtext("room") or room_name, where, "room", notes, line=True)[:100],
            track=read_text(el.findtext("track"), where, "track", notes, line=True)[:100],
            type=read_text(el.findtext("type"), where, "type", notes, line=True)[:100],
            persons=persons,
        )


class JSONReader:
    def __init__(self, data: bytes, timezone: str | None = None):
        self.data = data
        self.notes: list[str] = []
        self.timezone = timezone

    def read(self) -> ParsedSchedule:
        try:
            document = json.loads(self.data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ImportProblem(_("The file is not UTF-8 text.")) from None
        except json.JSONDecodeError as exc:
            raise ImportProblem(
                _("line %(line)s, column %(column)s: the JSON is malformed (%(reason)s).")
                % {"line": exc.lineno, "column": exc.colno, "reason": exc.msg}
            ) from None
        except RecursionError:
            raise ImportProblem(_("The JSON is nested too deeply to be a schedule.")) from None
        schedule = document.get("schedule") if isinstance(document, dict) else None
        if not isinstance(schedule, dict):
            raise ImportProblem(_("$: the document has no “schedule” object."))
        conference = schedule.get("conference")
        if not isinstance(conference, dict):
            raise ImportProblem(_("$.schedule: there is no “conference” object."))
        where = "$.schedule.conference"
        title = read_text(conference.get("title"), where, "title", self.notes, line=True)
        if not title:
            raise ImportProblem(_("$.schedule.conference: “title” is missing or empty."))
        tz = read_zone(str(conference.get("time_zone_name") or ""), self.notes)
        result = ParsedSchedule(
            format="JSON",
            title=title,
            acronym=read_acronym(str(conference.get("acronym") or ""), title, self.notes),
            timezone=tz,
            start=read_date(str(conference.get("start") or "")),
            end=read_date(str(conference.get("end") or "")),
            description=read_text(
                conference.get("description"), where, "description", self.notes, line=False
            ),
            notes=self.notes,
        )
        self.zone = tz or self.timezone
        self.slot = read_slot(str(conference.get("timeslot_duration") or ""))
        for track in as_list(conference.get("tracks"), "$.schedule.conference.tracks"):
            if isinstance(track, dict) and track.get("name"):
                name = read_text(track["name"], where, "track name", self.notes, line=True)[:100]
                color = str(track.get("color") or "")
                if name and re.fullmatch(r"#[0-9a-fA-F]{6}", color):
                    result.track_colors[name] = color.lower()
        for room in as_list(conference.get("rooms"), "$.schedule.conference.rooms"):
            if isinstance(room, dict) and room.get("name"):
                name = read_text(room["name"], where, "room name", self.notes, line=True)[:100]
                if not name:
                    continue
                capacity = room.get("capacity")
                result.room_capacity[name] = (
                    int(capacity)
                    if isinstance(capacity, int | float) and 0 < capacity <= MAX_INT
                    else None
                )
                guid = read_uuid(room.get("guid"))
                if guid:
                    result.room_guids.setdefault(name, guid)
        days = conference.get("days")
        if not isinstance(days, list):
            raise ImportProblem(_("$.schedule.conference: “days” is missing or not a list."))
        for d, day in enumerate(days):
            rooms = day.get("rooms") if isinstance(day, dict) else None
            if not isinstance(rooms, dict):
                raise ImportProblem(
                    _("$.schedule.conference.days[%(d)s]: “rooms” is not an object.") % {"d": d}
                )
            for room_name, events in rooms.items():
                if not isinstance(events, list):
                    raise ImportProblem(
                        _("$.schedule.conference.days[%(d)s].rooms[%(room_name)s]: not a list.")
                        % {"d": d, "room_name": repr(room_name)}
                    )
                for e, event in enumerate(events):
                    where = f"$.schedule.conference.days[{d}].rooms[{room_name!r}][{e}]"
                    if not isinstance(event, dict):
                        raise ImportProblem(
                            _("%(where)s: an event must be an object.") % {"where": where}
                        )
                    result.sessions.append(self.session(event, room_name, where, result))
        return result

    def session(self, event: dict, room_name: str, where: str, schedule) -> ParsedSession:
        notes = self.notes
        title = read_title(event.get("title"), where, notes)
        frab_id = read_frab_id(event.get("id"), where, notes)
        starts_at = read_moment(str(event.get("date") or ""), where, schedule, self.zone)
        if event.get("end"):
            ends_at = read_moment(str(event["end"]), where, schedule, self.zone)
            if ends_at <= starts_at:
                raise ImportProblem(_("%(where)s: “end” is not after “date”.") % {"where": where})
        else:
            duration = read_duration(str(event.get("duration") or ""), where, notes, self.slot)
            ends_at = starts_at + duration
        persons = []
        for p, person in enumerate(as_list(event.get("persons"), f"{where}.persons")):
            if not isinstance(person, dict):
                raise ImportProblem(
                    _("%(where)s.persons[%(p)s]: a person must be an object.")
                    % {"where": where, "p": p}
                )
            raw_name = person.get("name") or person.get("public_name")
            name = read_text(raw_name, f"{where}.persons[{p}]", "name", notes, line=True)
            if not name:
                continue
            bio = person.get("biography")
            code = read_text(person.get("code"), where, "person's code", notes, line=True)
            persons.append(
                Person(
                    name=name[:200],
                    biography=None
                    if bio is None
                    else read_text(bio, f"{where}.persons[{p}]", "biography", notes, line=False),
                    guid=read_uuid(person.get("guid")),
                    code=code[:64],
                    frab_id=positive_int(person.get("id")),
                )
            )
        links = [
            link for link in as_list(event.get("links"), f"{where}.links") if isinstance(link, dict)
        ]
        return ParsedSession(
            where=where,
            guid=read_guid(
                event.get("guid"), where, notes, f"{schedule.acronym}:{frab_id or title}"
            ),
            frab_id=frab_id,
            title=title,
            slug=slug_from_frab(str(event.get("slug") or ""), schedule.acronym, frab_id, title),
            subtitle=read_text(event.get("subtitle"), where, "subtitle", notes, line=True)[:300],
            abstract=read_text(event.get("abstract"), where, "abstract", notes, line=False),
            description=read_text(
                event.get("description"), where, "description", notes, line=False
            ),
            language=read_language(event.get("language"), where, notes),
            do_not_record=as_bool(event.get("do_not_record")),
            recording_license=read_text(
                event.get("recording_license"), where, "licence", notes, line=True
            )[:200],
            links=read_links(links, where, notes),
            starts_at=starts_at,
            ends_at=ends_at,
            room=read_text(event.get("room") or room_name, where, "room", notes, line=True)[:100],
            track=read_text(event.get("track"), where, "track", notes, line=True)[:100],
            type=read_text(event.get("type"), where, "type", notes, line=True)[:100],
            persons=persons,
        )
