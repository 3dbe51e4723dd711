"""frab XML, written as text."""

from ..rows import Row
from .frab import TRACK_SLUG_RE, FrabExporter


class FrabXMLExporter(FrabExporter):
    """frab XML, written as text: the bytes ElementTree wrote with ``ET.indent(root,
    space=" ")`` (tests/schedule/test_frab_export.py holds it to that), for a fifth of
    its time at hundreds of sessions."""

    content_type = "application/xml; charset=utf-8"
    filename = "{slug}.schedule.xml"

    def render(self, sessions: list[Row]) -> bytes:
        event = self.event
        prepared = self.prepare(sessions)
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
            for room, room_sessions in day["rooms"]:
                attrs = {"name": room.name, "guid": str(room.guid)}
                out.append(opening("room", attrs, 2, bool(room_sessions)))
                out.extend(self.session_element(fields) for fields in room_sessions)
                if room_sessions:
                    out.append("\n  </room>")
            if day["rooms"]:
                out.append("\n </day>")
        out.append("\n</schedule>")
        # The version comes first, a digest of all that follows it.
        rest = "".join(out).encode()
        head = (
            '<?xml version="1.0" encoding="utf-8"?>\n<schedule>'
            '\n <generator name="lineup" version="1" />'
        )
        return b"".join([(head + leaf("version", self.version(rest), 1)).encode(), rest])

    def session_element(self, fields: dict) -> str:
        """One <event> with its children, indented at its depth (schedule/day/room).

        Written as one list of strings: ids, guids, dates, times and durations need no
        escapes.
        """
        out = [
            f'\n   <event id="{fields["id"]}" guid="{fields["guid"]}">'
            f"\n    <date>{fields['date']}</date>"
            f"\n    <start>{fields['start']}</start>"
            f"\n    <duration>{fields['duration']}</duration>"
        ]
        # Its texts escaped at once (cleaned text holds no NUL to join them with).
        texts = [fields[tag] for tag in EVENT_TEXTS] + [fields["description"]]
        escaped = _text("\x00".join(texts)).split("\x00")
        if len(escaped) != len(texts):  # a NUL after all (in a slug): one by one
            escaped = [_text(text) for text in texts]
        out += [
            f"\n    <{tag}>{text}</{tag}>" if text else f"\n    <{tag} />"
            for tag, text in zip(EVENT_TEXTS, escaped, strict=False)
        ]
        if escaped[-1]:  # the description, when there is one
            out.append(f"\n    <description>{escaped[-1]}</description>")
        if fields["recording_license"] or fields["do_not_record"]:
            out.append("\n    <recording>")
            out.append(leaf("license", fields["recording_license"], 5))
            out.append(leaf("optout", str(fields["do_not_record"]).lower(), 5))
            out.append("\n    </recording>")
        persons = fields["persons"]
        if persons:  # ids are numbers and guids hex: no escapes in their attributes
            out.append("\n    <persons>")
            out += [
                f'\n     <person id="{p["id"]}" guid="{p["guid"]}">{_text(p["name"])}</person>'
                if p["name"]
                else f'\n     <person id="{p["id"]}" guid="{p["guid"]}" />'
                for p in persons
            ]
            out.append("\n    </persons>")
        else:
            out.append("\n    <persons />")
        links = fields["links"]
        if links:
            out.append("\n    <links>")
            for link in links:
                out.append(leaf("link", link["title"] or link["url"], 5, {"href": link["url"]}))
            out.append("\n    </links>")
        else:
            out.append("\n    <links />")
        out.append("\n   </event>")
        return "".join(out)


# An event's children that hold text, after its date, start and duration, in order.
EVENT_TEXTS = ("room", "slug", "url", "title", "subtitle", "track", "type", "language", "abstract")


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
