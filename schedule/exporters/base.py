"""What every export format is: a content type, a file name, and rows to bytes."""

from events.models import Event

from ..rows import Row


class Exporter:
    """A format: its content type and file name, and how it renders session rows."""

    content_type = "application/octet-stream"
    filename = "{slug}"

    def __init__(self, event: Event, base_url: str):
        self.event = event
        self.base_url = base_url.rstrip("/")

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def render(self, sessions: list[Row]) -> bytes:
        raise NotImplementedError
