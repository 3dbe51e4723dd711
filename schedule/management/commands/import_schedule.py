from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schedule.importer import ImportProblem, import_schedule


class Command(BaseCommand):
    help = (
        "Import a frab schedule.xml or schedule.json into an event (created if needed). "
        "Sessions are matched by guid, so importing again updates them. Publishes what it "
        "imports unless --draft is given. A bad file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--event", required=True, help="slug of the event to import into")
        parser.add_argument("--draft", action="store_true", help="import new sessions as drafts")

    def handle(self, *args, file: Path, event: str, draft: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            report = import_schedule(data, event, publish=not draft)
        except ImportProblem as exc:
            raise CommandError(f"{file}: nothing was imported. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{file}: {report.summary()}"))
        for note in report.notes:
            self.stdout.write(f"  repaired or skipped: {note}")
