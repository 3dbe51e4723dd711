"""Writing a parsed file: compares with what is stored and writes only the differences,
in bulk (one event's rooms, people, sessions and their speakers)."""

import datetime as dt
import re
import uuid
import zoneinfo

from django.utils import timezone as django_tz
from django.utils.translation import gettext, ngettext

from events.models import (
    Event,
    Room,
    SessionType,
    Track,
    free_slug,
    slug_root,
)
from lib.markup import render_markdown
from speakers.models import Speaker

from .import_data import (
    BREAK_TYPES,
    FRAB_NAMESPACE,
    LEGACY_EXPORT_NAMESPACE,
    PREVIEW_CHANGES,
    Change,
    ParsedSchedule,
    Person,
    Report,
)
from .models import Session, SessionSpeaker


def event_dates(parsed: ParsedSchedule, tz: zoneinfo.ZoneInfo) -> tuple[dt.date, dt.date]:
    days = [s.starts_at.astimezone(tz).date() for s in parsed.sessions]
    days += [(s.ends_at - dt.timedelta(seconds=1)).astimezone(tz).date() for s in parsed.sessions]
    start = parsed.start or (min(days) if days else dt.date.today())  # noqa: DTZ011
    end = parsed.end or (max(days) if days else start)
    if days and (min(days) < start or max(days) > end):
        parsed.notes.append(
            gettext(
                "Sessions fall outside the conference's dates (%(start)s to %(end)s); the "
                "event now runs %(new_start)s to %(new_end)s."
            )
            % {
                "start": start,
                "end": end,
                "new_start": min(min(days), start),
                "new_end": max(max(days), end),
            }
        )
        start, end = min(min(days), start), max(max(days), end)
    return start, max(start, end)


def people_count(count: int) -> str:
    return ngettext("%(count)d person", "%(count)d people", count) % {"count": count}


def _show(value) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


SESSION_FIELDS = (
    "title", "subtitle", "abstract", "description", "language", "do_not_record",
    "recording_license", "links", "starts_at", "ends_at", "room_id", "track_id",
    "session_type_id",
)  # fmt: skip


class Writer:
    """One import's writes: compares with what is stored and writes only differences."""

    def __init__(self, parsed: ParsedSchedule, event: Event, report: Report, publish: bool):
        self.parsed = parsed
        self.event = event
        self.report = report
        self.publish = publish
        self.now = django_tz.now()

    # rooms, tracks, types --------------------------------------------------------

    def load_named(self) -> None:
        event = self.event
        self.rooms = {r.name: r for r in Room.objects.filter(event=event)}
        self.rooms_by_guid = {r.guid: r for r in self.rooms.values()}
        self.tracks = {t.name: t for t in Track.objects.filter(event=event)}
        self.types = {t.name: t for t in SessionType.objects.filter(event=event)}

    def room(self, name: str) -> Room | None:
        if not name:
            return None
        room = self.rooms.get(name)
        guid = self.parsed.room_guids.get(name)
        if room is None and guid in self.rooms_by_guid:
            room = self.rooms_by_guid[guid]  # renamed in the other system
            room.name = name
            room.save(update_fields=["name"])
            self.report.count("rooms", False)
            self.rooms[name] = room
        if room is None:
            room = Room(event=self.event, name=name, position=len(self.rooms))
            if guid and guid not in self.rooms_by_guid:
                room.guid = guid
            capacity = self.parsed.room_capacity.get(name)
            if capacity:
                room.capacity = capacity
            room.save()
            self.rooms[name] = room
            self.rooms_by_guid[room.guid] = room
            self.report.count("rooms", True)
        return room

    def update_rooms(self) -> None:
        for name in self.parsed.room_capacity:
            self.room(name)
        for name, room in self.rooms.items():
            capacity = self.parsed.room_capacity.get(name)
            guid = self.parsed.room_guids.get(name)
            changed = []
            if capacity and room.capacity != capacity:
                room.capacity = capacity
                changed.append("capacity")
            if guid and room.guid != guid and guid not in self.rooms_by_guid:
                self.rooms_by_guid.pop(room.guid, None)
                room.guid = guid
                self.rooms_by_guid[guid] = room
                changed.append("guid")
            if changed and not room._state.adding:
                room.save(update_fields=changed)
                self.report.count("rooms", False)

    def named(self, cache: dict, model, name: str, kind: str, **defaults):
        if not name:
            return None
        obj = cache.get(name)
        if obj is None:
            obj = model.objects.create(event=self.event, name=name[:100], **defaults)
            cache[name] = obj
            self.report.count(kind, True)
        return obj

    # people -------------------------------------------------------------------------

    def load_people(self) -> None:
        speakers = list(Speaker.objects.filter(event=self.event).order_by("pk"))
        self.by_guid = {s.guid: s for s in speakers}
        self.by_code = {s.code: s for s in speakers if s.code}
        self.by_name: dict[str, list[Speaker]] = {}
        for s in speakers:
            self.by_name.setdefault(s.name, []).append(s)
        self.slugs = {s.slug for s in speakers}
        self.resolved: dict[tuple, Speaker] = {}
        self.new_speakers: list[Speaker] = []
        self.new_ids: set[int] = set()
        self.changed_speakers: dict[int, Speaker] = {}
        self.claimed: set[int] = set()
        self.person_ids = set(
            Speaker.objects.exclude(frab_id=None).values_list("frab_id", flat=True)
        )
        self.next_person_id = max(self.person_ids, default=0) + 1

    def _legacy(self, speaker: Speaker) -> bool:
        """Imported before speakers kept the file's identity (their guid was derived)."""
        legacy = uuid.uuid5(LEGACY_EXPORT_NAMESPACE, f"{self.event.acronym}:speaker:{speaker.slug}")
        return not speaker.code and speaker.guid == legacy

    def _find(self, person: Person) -> tuple[Speaker | None, bool]:
        """The stored speaker this person is, and whether found only by name."""
        if person.key[0] == "name":
            # The file gives nothing but a name: the one speaker of that name, if any.
            found = [s for s in self.by_name.get(person.name, []) if s.pk not in self.claimed]
            return (found[0] if found else None), True
        speaker = self.by_guid.get(self._derived_guid(person))
        if speaker is None and person.code:
            speaker = self.by_code.get(person.code)
        if speaker is not None:
            return speaker, False
        # Speakers stored before imports kept the file's identities: by name, once.
        found = [
            s
            for s in self.by_name.get(person.name, [])
            if s.pk not in self.claimed and self._legacy(s)
        ]
        return (found[0] if found else None), True

    def _derived_guid(self, person: Person) -> uuid.UUID | None:
        """The guid the file gives, or one derived from its code or id (so that the next
        import finds the same speaker); None when the file gives only a name."""
        if person.guid:
            return person.guid
        if person.code:
            return uuid.uuid5(FRAB_NAMESPACE, f"{self.parsed.acronym}:person-code:{person.code}")
        if person.frab_id and person.shared_id:
            return uuid.uuid5(
                FRAB_NAMESPACE, f"{self.parsed.acronym}:person:{person.frab_id}:{person.name}"
            )
        if person.frab_id:
            return uuid.uuid5(FRAB_NAMESPACE, f"{self.parsed.acronym}:person:{person.frab_id}")
        return None

    def speaker(self, person: Person) -> Speaker:
        key = person.key
        speaker = self.resolved.get(key)
        if speaker is not None:
            return speaker
        speaker, by_name = self._find(person)
        guid = self._derived_guid(person)
        if speaker is None:
            speaker = Speaker(
                event=self.event,
                name=person.name,
                guid=guid or uuid.uuid4(),
                code=person.code,
                bio=person.biography or "",
                bio_html=render_markdown(person.biography or ""),
                slug=free_slug(slug_root(person.name), self.slugs),
                frab_id=self._person_id(person.frab_id),
            )
            if speaker.guid in self.by_guid:
                speaker.guid = uuid.uuid4()
            self.slugs.add(speaker.slug)
            self.by_guid[speaker.guid] = speaker
            self.new_speakers.append(speaker)
            self.new_ids.add(id(speaker))
            self.report.count("speakers", True)
        else:
            self.claimed.add(speaker.pk)
            changed = False
            if key[0] != "name" and speaker.name != person.name:
                speaker.name = person.name
                changed = True
            if person.biography is not None and speaker.bio != person.biography:
                speaker.bio = person.biography
                speaker.bio_html = render_markdown(person.biography)
                changed = True
            if person.code and speaker.code != person.code and person.code not in self.by_code:
                speaker.code = person.code
                self.by_code[person.code] = speaker
                changed = True
            if guid and by_name and speaker.guid != guid and guid not in self.by_guid:
                speaker.guid = guid  # adopts the identity the file gives from now on
                self.by_guid[guid] = speaker
                changed = True
            if changed and speaker.pk not in self.changed_speakers:
                self.changed_speakers[speaker.pk] = speaker
                self.report.count("speakers", False)
        self.resolved[key] = speaker
        return speaker

    def _person_id(self, wanted: int | None) -> int:
        if wanted and wanted not in self.person_ids:
            self.person_ids.add(wanted)
            return wanted
        while self.next_person_id in self.person_ids:
            self.next_person_id += 1
        self.person_ids.add(self.next_person_id)
        return self.next_person_id

    def save_people(self) -> None:
        Speaker.objects.bulk_create(self.new_speakers, batch_size=500)
        if self.changed_speakers:
            for speaker in self.changed_speakers.values():
                speaker.updated_at = self.now
            Speaker.objects.bulk_update(
                list(self.changed_speakers.values()),
                ["name", "bio", "bio_html", "code", "guid", "updated_at"],
                batch_size=500,
            )
        seen = {s.pk for s in self.changed_speakers.values()}
        for speaker in self.resolved.values():
            if speaker.pk not in seen and id(speaker) not in self.new_ids:
                seen.add(speaker.pk)
                self.report.same("speakers")

    # sessions -----------------------------------------------------------------------

    def sessions(self, prune: bool) -> None:
        """Sessions by guid: new ones created, changed ones updated (with a line in the
        report's preview), their speakers relinked when the list differs; what the file
        no longer has is listed (and cancelled with ``prune``)."""
        self._load_sessions()
        new, changed = [], []
        for item in self.parsed.sessions:
            values = self._values(item)
            people = self._people(item)
            session = self.existing.pop(item.guid, None)
            if session is None:
                new.append(self._new_session(item, values, people))
                self.report.count("sessions", True)
            elif self._update(session, item, values, people):
                changed.append(session)
                self.report.count("sessions", False)
            else:
                self.report.same("sessions")
        self.save_people()
        self._save_sessions(new, changed)
        self._missing(prune)

    def _load_sessions(self) -> None:
        event = self.event
        self.existing = {s.guid: s for s in Session.objects.filter(event=event).order_by("pk")}
        self.links_before: dict[int, list[tuple]] = {}
        for session_id, speaker_id, position, role in (
            SessionSpeaker.objects.filter(session__event=event)
            .order_by("session_id", "position", "pk")
            .values_list("session_id", "speaker_id", "position", "role")
        ):
            self.links_before.setdefault(session_id, []).append((speaker_id, position, role))
        self.ids_taken = set(Session.objects.values_list("frab_id", flat=True))
        self.next_id = max((i for i in self.ids_taken if i), default=0) + 1
        self.slugs = {s.slug for s in self.existing.values()}
        self.linked: list[tuple[Session, list[Speaker]]] = []  # speakers to (re)link
        self.relinked: list[int] = []  # sessions whose old links go

    def _free_id(self, wanted: int | None, current: int | None) -> int | None:
        """The file's frab id if no other session has it, else the current or a new one
        (frab ids are unique across the installation)."""
        if wanted and (wanted == current or wanted not in self.ids_taken):
            self.ids_taken.add(wanted)
            return wanted
        if current:
            return current
        while self.next_id in self.ids_taken:
            self.next_id += 1
        self.ids_taken.add(self.next_id)
        return self.next_id

    def _values(self, item) -> dict:
        """The session's fields as the file gives them (rooms, tracks, types made, in
        that order)."""
        room = self.room(item.room)
        track = self.named(self.tracks, Track, item.track, "tracks", position=len(self.tracks))
        kind = self.named(
            self.types, SessionType, item.type, "types", is_break=item.type.lower() in BREAK_TYPES
        )
        return {
            "title": item.title,
            "subtitle": item.subtitle,
            "abstract": item.abstract,
            "description": item.description,
            "language": item.language,
            "do_not_record": item.do_not_record,
            "recording_license": item.recording_license,
            "links": item.links,
            "starts_at": item.starts_at,
            "ends_at": item.ends_at,
            "room_id": getattr(room, "pk", None),
            "track_id": getattr(track, "pk", None),
            "session_type_id": getattr(kind, "pk", None),
        }

    def _people(self, item) -> list[Speaker]:
        """The session's speakers in the file's order, each once."""
        people, seen = [], set()
        for person in item.persons:
            speaker = self.speaker(person)
            if id(speaker) not in seen:
                seen.add(id(speaker))
                people.append(speaker)
        return people

    def _new_session(self, item, values: dict, people: list[Speaker]) -> Session:
        session = Session(
            event=self.event,
            guid=item.guid,
            status=Session.Status.PUBLISHED if self.publish else Session.Status.DRAFT,
            slug=free_slug(item.slug, self.slugs),
            frab_id=self._free_id(item.frab_id, None),
            **values,
        )
        session.render_text()
        self.slugs.add(session.slug)
        self.linked.append((session, people))
        return session

    def _differences(self, session: Session, item, values: dict, people) -> list[tuple]:
        """(field, stored, file's) for each field of ``session`` the file changes."""
        differences = [
            (name, getattr(session, name), value)
            for name, value in values.items()
            if getattr(session, name) != value
        ]
        if self.publish and session.status == Session.Status.DRAFT:
            differences.append(("status", session.status, Session.Status.PUBLISHED))
        frab_id = self._free_id(item.frab_id, session.frab_id)
        if frab_id != session.frab_id:
            differences.append(("frab_id", session.frab_id, frab_id))
        if session.slug != item.slug and not re.fullmatch(
            re.escape(item.slug) + r"-\d+", session.slug
        ):
            self.slugs.discard(session.slug)
            slug = free_slug(item.slug, self.slugs)
            self.slugs.add(slug)
            if slug != session.slug:
                differences.append(("slug", session.slug, slug))
        before = self.links_before.get(session.pk, [])
        # New speakers have no pk yet: they are new, so the list differs anyway.
        after = [(p.pk, n, SessionSpeaker.Role.SPEAKER) for n, p in enumerate(people)]
        if [(s, n) for s, n, _ in before] != [(s, n) for s, n, _ in after]:
            names = ", ".join(p.name for p in {p.pk: p for p in people}.values())
            differences.append(("speakers", people_count(len(before)), names or gettext("none")))
            self.relinked.append(session.pk)
            self.linked.append((session, people))
        return differences

    def _update(self, session: Session, item, values: dict, people) -> bool:
        """Apply the file's differences to ``session`` (not saved); whether there were."""
        differences = self._differences(session, item, values, people)
        if not differences:
            return False
        for name, _, value in differences:
            if name != "speakers":
                setattr(session, name, value)
        if {name for name, _, _ in differences} & {"abstract", "description"}:
            session.render_text()
        session.version += 1
        session.updated_at = self.now
        if len(self.report.changes) < PREVIEW_CHANGES:
            shown = [(n, _show(a), _show(b)) for n, a, b in differences]
            self.report.changes.append(Change(session.title, shown))
        return True

    def _save_sessions(self, new: list[Session], changed: list[Session]) -> None:
        Session.objects.bulk_create(new, batch_size=500)
        if changed:
            Session.objects.bulk_update(
                changed,
                [*SESSION_FIELDS, "status", "frab_id", "slug", "abstract_html",
                 "abstract_text", "description_html", "version", "updated_at"],
                batch_size=500,
            )  # fmt: skip
        # A person who stays keeps the role given here (moderator, panelist).
        roles = {
            (session_id, speaker_id): role
            for session_id in self.relinked
            for speaker_id, _, role in self.links_before.get(session_id, [])
        }
        if self.relinked:
            SessionSpeaker.objects.filter(session_id__in=self.relinked).delete()
        SessionSpeaker.objects.bulk_create(
            (
                SessionSpeaker(
                    session=session,
                    speaker=speaker,
                    position=position,
                    role=roles.get((session.pk, speaker.pk), SessionSpeaker.Role.SPEAKER),
                )
                for session, people in self.linked
                for position, speaker in enumerate(people)
            ),
            batch_size=1000,
        )

    def _missing(self, prune: bool) -> None:
        """What Lineup has and the file no longer does: listed, and cancelled on request."""
        gone = [s for s in self.existing.values() if s.status != Session.Status.CANCELLED]
        gone.sort(key=lambda s: (s.starts_at is None, s.starts_at or self.now, s.title))
        self.report.missing = [
            f"{s.title} ({s.starts_at.astimezone(self.event.tzinfo):%Y-%m-%d %H:%M})"
            if s.starts_at
            else s.title
            for s in gone
        ]
        if prune and gone:
            self.report.pruned = Session.objects.filter(pk__in=[s.pk for s in gone]).set_status(
                Session.Status.CANCELLED
            )
