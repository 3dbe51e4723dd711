"""What every export format is: a content type, a file name, and rows to bytes."""

from events.models import Event

from ..rows import Row, load_rows


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
    def read(cls, queryset, event: Event) -> list[Row]:
        """The sessions of ``queryset`` as rows, with the fields this format writes."""
        if cls.details is None:
            return load_rows(queryset, event, without=cls.without)
        return load_rows(queryset, event, brief=True, details=cls.details)

    def render(self, sessions: list[Row]) -> bytes:
        raise NotImplementedError
