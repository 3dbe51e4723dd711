"""The words of an import's repair notes: each note says where in the file (a line of
XML, a JSON path) and what was repaired or skipped, in the active language (the admin's;
English for the command), the file's own values quoted as they are."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy


class Note(str):
    """One repair, worded "<where>: <what>" in the active language; its place is kept
    apart so that the report names one kind of repair once, with all its places."""

    where = ""
    what = ""


def note(where: str, what: str) -> Note:
    made = Note(_("%(where)s: %(what)s") % {"where": where, "what": what})
    made.where, made.what = where, what
    return made


def xml_place(line, element: str) -> str:
    """Where in an XML file: "line 12, <event id="3">" (the element as the file has it)."""
    return _("line %(line)s, %(element)s") % {"line": line, "element": element}


# The fields a repair or a change names (the file's data itself stays as written).
FIELD_WORDS = {
    "title": pgettext_lazy("import field", "title"),
    "subtitle": pgettext_lazy("import field", "subtitle"),
    "abstract": pgettext_lazy("import field", "abstract"),
    "description": pgettext_lazy("import field", "description"),
    "language": pgettext_lazy("import field", "language"),
    "do_not_record": pgettext_lazy("import field", "do not record"),
    "licence": pgettext_lazy("import field", "licence"),
    "recording_license": pgettext_lazy("import field", "licence"),
    "links": pgettext_lazy("import field", "links"),
    "link title": pgettext_lazy("import field", "link title"),
    "starts_at": pgettext_lazy("import field", "start"),
    "ends_at": pgettext_lazy("import field", "end"),
    "room": pgettext_lazy("import field", "room"),
    "room_id": pgettext_lazy("import field", "room"),
    "room name": pgettext_lazy("import field", "room name"),
    "track": pgettext_lazy("import field", "track"),
    "track_id": pgettext_lazy("import field", "track"),
    "track name": pgettext_lazy("import field", "track name"),
    "type": pgettext_lazy("import field", "type"),
    "session_type_id": pgettext_lazy("import field", "type"),
    "status": pgettext_lazy("import field", "status"),
    "frab_id": pgettext_lazy("import field", "id"),
    "slug": pgettext_lazy("import field", "slug"),
    "speakers": pgettext_lazy("import field", "speakers"),
    "name": pgettext_lazy("import field", "name"),
    "person's name": pgettext_lazy("import field", "person's name"),
    "person's code": pgettext_lazy("import field", "person's code"),
    "biography": pgettext_lazy("import field", "biography"),
}
