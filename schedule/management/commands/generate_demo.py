import argparse
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from schedule.demo import (
    DEFAULT_AVATARS_SHARE,
    MAX_SESSIONS,
    MIN_SESSIONS,
    DemoError,
    describe,
    generate_demo,
)


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date like 2027-03-02.") from None


class Command(BaseCommand):
    help = (
        "Generate a published demo conference with made-up rooms, tracks, speakers and "
        "sessions. The same --seed gives the same event."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sessions",
            type=int,
            required=True,
            help=f"How many sessions, breaks included ({MIN_SESSIONS}–{MAX_SESSIONS}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--slug", default="democon", help="The event's slug (democon).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete an existing event with this slug first, with all its data.",
        )
        parser.add_argument(
            "--avatars-share",
            type=float,
            default=DEFAULT_AVATARS_SHARE,
            help=f"Share of speakers with an avatar, 0 to 1 (default {DEFAULT_AVATARS_SHARE}).",
        )
        parser.add_argument(
            "--start-date",
            type=iso_date,
            help="First day, YYYY-MM-DD (default: a spring 2027 date picked by the seed).",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            event = generate_demo(
                sessions=options["sessions"],
                seed=options["seed"],
                slug=options["slug"],
                start_date=options["start_date"],
                avatars_share=options["avatars_share"],
                replace=options["replace"],
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - started
        self.stdout.write(f"{describe(event)} in {seconds:.1f} s.")
