"""frab XML, written as text."""

from itertools import islice

from ..rows import Row
from .base import encoded, escape_all
from .frab import FRAB_TEXTS, TRACK_SLUG_RE, FrabExporter


class FrabXMLExporter(FrabExporter):
    """frab XML, written as text: the bytes ElementTree wrote with ``ET.indent(root,
    space=" ")`` (tests/schedule/test_frab_export.py holds it to that), for a fifth of
    its time at hundreds of sessions."""

    content_type = "application/xml; charset=utf-8"
    filename = "{slug}.schedule.xml"

    def render(self, sessions: list[Row]) -> bytes:
        event = self.event
        prepared = self.prepare(sessions)
        events = iter(self.events(prepared["sessions"]))
        out = ["\n <conference>"]
        for tag, text in (
            ("acronym", event.acronym),
            ("title", self.title),
            ("start", event.start_date.isoformat()),
            ("end", event.end_date.isoformat()),
            ("days", str(len(prepared["days"]))),
            ("timeslot_duration", "00:05"),
            ("base_url", prepared["base_url"]),
            ("url", prepared["url"]),
            ("time_zone_name", event.timezone),
        ):
            out.append(leaf(tag, text, 2))
        for track in prepared["tracks"]:
            attrs = {"name": track.name, "color": track.color}
            if TRACK_SLUG_RE.fullmatch(track.slug):
                attrs["slug"] = track.slug
            out.append(leaf("track", "", 2, attrs))
        out.append("\n </conference>")
        for day in prepared["days"]:
            attrs = {"index": str(day["index"]), "date": day["date"], "start": day["start"],
                     "end": day["end"]}  # fmt: skip
            out.append(opening("day", attrs, 1, bool(day["rooms"])))
            for room, placed in day["rooms"]:
                attrs = {"name": room.name, "guid": str(room.guid)}
                out.append(opening("room", attrs, 2, bool(placed)))
                out += islice(events, len(placed))
                if placed:
                    out.append("\n  </room>")
            if day["rooms"]:
                out.append("\n </day>")
        out.append("\n</schedule>")
        # The version comes first, a digest of all that follows it.
        rest = encoded(out)
        head = (
            '<?xml version="1.0" encoding="utf-8"?>\n<schedule>'
            '\n <generator name="lineup" version="1" />'
        )
        return b"".join([(head + leaf("version", self.version(rest), 1)).encode(), rest])

    def events(self, sessions: list[Row]) -> list[str]:
        """Each session's <event> with its children, indented at its depth (schedule/
        day/room), its texts escaped all at once (ids, guids, dates, times and durations
        need no escapes), each person written once."""
        people = self.persons(sessions).values()
        # Ids are numbers and guids hex: no escapes in their attributes.
        persons = {
            person.guid: (
                f'\n     <person id="{person.frab_id}" guid="{person.guid}">{name}</person>'
                if name
                else f'\n     <person id="{person.frab_id}" guid="{person.guid}" />'
            )
            for person, name in zip(
                people, escape_all([p.name for p in people], _text), strict=True
            )
        }
        columns = self.session_values(sessions, _text)
        # The children that may be empty, written column by column: no call per child.
        for at, tag in CHILDREN:
            start, end, empty = f"\n    <{tag}>", f"</{tag}>", f"\n    <{tag} />"
            columns[at] = [start + text + end if text else empty for text in columns[at]]
        return [
            self.event_element(s, values, persons)
            for s, values in zip(sessions, zip(*columns, strict=True), strict=True)
        ]

    def event_element(self, session: Row, values: tuple, persons: dict[str | None, str]) -> str:
        (export_id, date, start, duration, room, slug, url, title, subtitle, track, type_,
         language, abstract, description, license_) = values  # fmt: skip
        out = [
            f'\n   <event id="{export_id}" guid="{session.guid}">'
            f"\n    <date>{date}</date>"
            f"\n    <start>{start}</start>"
            f"\n    <duration>{duration}</duration>"
            f"{room}"  # written (CHILDREN)
            f"\n    <slug>{slug}</slug>"  # never empty (FRAB_TEXTS)
            f"\n    <url>{url}</url>"
            f"{title}{subtitle}{track}{type_}{language}{abstract}"
        ]
        if description:
            out.append(f"\n    <description>{description}</description>")
        if license_ or session.do_not_record:
            out.append(
                "\n    <recording>"
                + (f"\n     <license>{license_}</license>" if license_ else "\n     <license />")
                + f"\n     <optout>{'true' if session.do_not_record else 'false'}</optout>"
                + "\n    </recording>"
            )
        if session.people:
            out.append("\n    <persons>")
            out += [persons[p.guid] for p in session.people]
            out.append("\n    </persons>")
        else:
            out.append("\n    <persons />")
        if session.links:
            out.append("\n    <links>")
            for link in session.links:
                out.append(leaf("link", link["title"] or link["url"], 5, {"href": link["url"]}))
            out.append("\n    </links>")
        else:
            out.append("\n    <links />")
        out.append("\n   </event>")
        return "".join(out)


# The children of an event that hold text and may be empty (its slug and URL never are),
# by their column in ``session_values`` (after the id, date, start and duration).
CHILDREN = [
    (4 + FRAB_TEXTS.index(tag), tag)
    for tag in ("room", "title", "subtitle", "track", "type", "language", "abstract")
]


# ElementTree's serialization, by hand: text escapes &, < and >; attribute values also
# quotes and the white space that parsing would fold; an empty element is "<tag />".
def _text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _attributes(attrs: dict[str, str]) -> str:
    parts = []
    for name, value in attrs.items():
        value = _text(value)
        for char, escaped in ATTRIBUTE_ESCAPES:
            if char in value:
                value = value.replace(char, escaped)
        parts.append(f' {name}="{value}"')
    return "".join(parts)


def leaf(tag: str, text: str, depth: int, attrs: dict[str, str] | None = None) -> str:
    """An element without children on its own line, ``depth`` spaces in."""
    attributes = _attributes(attrs) if attrs else ""
    if not text:
        return f"\n{' ' * depth}<{tag}{attributes} />"
    return f"\n{' ' * depth}<{tag}{attributes}>{_text(text)}</{tag}>"


def opening(tag: str, attrs: dict[str, str], depth: int, children: bool) -> str:
    """The start of an element whose children follow (closed by the caller), or the
    whole element when it has none."""
    return f"\n{' ' * depth}<{tag}{_attributes(attrs)}{'>' if children else ' />'}"
