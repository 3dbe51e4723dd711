"""What every export format is: a content type, a file name, and rows to bytes."""

from collections.abc import Callable, Iterable

from events.models import Event

from ..display import url_for
from ..rows import Reading, Row, load_schedule, load_session, read_rows

SLUG = "__slug__"  # where a session's slug goes in ``Exporter.session_url``


class Exporter:
    """A format: its content type and file name, and how it renders session rows."""

    content_type = "application/octet-stream"
    filename = "{slug}"
    # What the format writes beyond what the pages print (brief rows, schedule.rows);
    # None: every field but those ``without`` names.
    details: tuple[str, ...] | None = None
    without: tuple[str, ...] = ()
    # The fields of each person it writes (schedule.rows.Person), and of each kind of
    # place (schedule.rows.Place; a kind not named is not read); None: as the rows read.
    # Each value read costs: the whole schedule is thousands of them.
    people: tuple[str, ...] | None = None
    places: dict[str, tuple[str, ...]] | None = None

    def __init__(self, event: Event, base_url: str):
        self.event = event
        self.base_url = base_url.rstrip("/")
        # A session's page, its slug to be put in place of SLUG (one reverse per export).
        self.session_url = self.absolute(url_for("session_detail", event.slug, SLUG))

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    @classmethod
    def reading(cls) -> Reading:
        """The fields this format writes."""
        places = tuple(cls.places.items()) if cls.places is not None else None
        if cls.details is None:
            return Reading(without=cls.without, people=cls.people, places=places)
        return Reading(brief=True, details=cls.details, people=cls.people, places=places)

    @classmethod
    def read(cls, queryset, event: Event) -> list[Row]:
        """The sessions of ``queryset`` as rows, with the fields this format writes."""
        return read_rows(queryset, cls.reading())

    @classmethod
    def read_schedule(cls, event: Event) -> list[Row]:
        """The whole public schedule, with the fields this format writes."""
        return load_schedule(event, cls.reading())

    @classmethod
    def read_session(cls, event: Event, slug: str) -> list[Row]:
        """One public session (or none), with the fields this format writes."""
        return load_session(event, slug, cls.reading())

    def render(self, sessions: list[Row]) -> bytes:
        raise NotImplementedError


def escape_all(texts: list[str], escape: Callable[[str], str], joint: str = "\x00") -> list[str]:
    """``[escape(text) for text in texts]`` in one call of ``escape``: the texts joined by
    ``joint``, a control character that row text does not hold (lib/text.py) and that
    ``escape`` leaves as it is. Were a text to hold it, or ``escape`` to change it, the
    count of pieces would differ: then one by one."""
    escaped = escape(joint.join(texts)).split(joint)
    return escaped if len(escaped) == len(texts) else [escape(text) for text in texts]


def encoded(pieces: Iterable[str]) -> bytes:
    """``"".join(pieces).encode()``, each piece encoded on its own: most are ASCII, which
    encodes as a copy, while one name with a letter beyond Latin-1 made the text of a
    whole document twice as wide, and its encoding several times slower."""
    return b"".join([piece.encode() for piece in pieces])
