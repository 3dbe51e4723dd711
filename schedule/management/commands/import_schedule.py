from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schedule.importer import ImportProblem, import_schedule


class Command(BaseCommand):
    help = (
        "Import a frab schedule.xml or schedule.json (pentabarf XML and pretalx JSON too) "
        "into an event (created from the file if needed). Sessions are matched by guid and "
        "people by the identity the file gives, so importing again changes only what "
        "changed. Publishes what it imports unless --draft is given. A bad file changes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--event", required=True, help="slug of the event to import into")
        parser.add_argument("--draft", action="store_true", help="import new sessions as drafts")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be created, changed, cancelled and repaired; write nothing",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="cancel (never delete) the event's sessions that the file no longer has",
        )
        parser.add_argument(
            "--timezone",
            help="IANA zone for a file that names none (default: the event's, else a guess)",
        )

    def handle(self, *args, file: Path, event: str, draft: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            report = import_schedule(
                data,
                event,
                publish=not draft,
                prune=options["prune"],
                dry_run=options["dry_run"],
                timezone=options["timezone"],
            )
        except ImportProblem as exc:
            raise CommandError(f"{file}: nothing was imported. {exc}") from None
        summary, _, details = report.preview().partition("\n")
        self.stdout.write(self.style.SUCCESS(f"{file}: {summary}"))
        if details:
            self.stdout.write(details)
