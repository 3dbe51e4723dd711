"""What every export format is: a content type, a file name, and rows to bytes."""

from dataclasses import asdict

from events.models import Event

from ..rows import Reading, Row, load_rows, load_session


class Exporter:
    """A format: its content type and file name, and how it renders session rows."""

    content_type = "application/octet-stream"
    filename = "{slug}"
    # What the format writes beyond what the pages print (brief rows, schedule.rows);
    # None: every field but those ``without`` names.
    details: tuple[str, ...] | None = None
    without: tuple[str, ...] = ()

    def __init__(self, event: Event, base_url: str):
        self.event = event
        self.base_url = base_url.rstrip("/")

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    @classmethod
    def reading(cls) -> Reading:
        """The fields this format writes."""
        if cls.details is None:
            return Reading(without=cls.without)
        return Reading(brief=True, details=cls.details)

    @classmethod
    def read(cls, queryset, event: Event) -> list[Row]:
        """The sessions of ``queryset`` as rows, with the fields this format writes."""
        return load_rows(queryset, event, **asdict(cls.reading()))

    @classmethod
    def read_session(cls, event: Event, slug: str) -> list[Row]:
        """One public session (or none), with the fields this format writes."""
        return load_session(event, slug, cls.reading())

    def render(self, sessions: list[Row]) -> bytes:
        raise NotImplementedError
