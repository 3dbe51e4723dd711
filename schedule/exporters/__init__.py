"""Exports of the public schedule: small classes over one list of session rows.

An exporter declares its content type and file name and renders the rows that
``rows.load_rows`` read (three queries, whatever the size). ``EXPORTERS`` names them by
format; one view (``views.schedule_export``) serves them all, through the page cache.
"""

from .base import Exporter
from .frab import FrabJSONExporter
from .frab_xml import FrabXMLExporter
from .ical import ICalExporter, ical_utc

__all__ = [
    "EXPORTERS",
    "Exporter",
    "FrabJSONExporter",
    "FrabXMLExporter",
    "ICalExporter",
    "ical_utc",
]

# Every export format by the name its URL gives it (schedule.<format>).
EXPORTERS: dict[str, type[Exporter]] = {
    "ics": ICalExporter,
    "xml": FrabXMLExporter,
    "json": FrabJSONExporter,
}
