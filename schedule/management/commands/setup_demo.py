import datetime as dt
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from events.models import Event, Membership
from schedule.demo import describe, generate_demo
from schedule.demo.stars import star_demo

DEMO_SLUG = "democon"
DEMO_SESSIONS = 150
DEMO_SEED = 1
USERNAME = "organizer"


def login_file() -> Path:
    return Path(settings.BASE_DIR) / "var" / "demo-login.txt"


def read_password(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "password" and value.strip():
            return value.strip()
    return None


def write_password(path: Path, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# The demo organizer's login for /admin/ (made by manage.py setup_demo).\n"
        f"username: {USERNAME}\n"
        f"password: {password}\n"
    )
    # Only the owner may read it: it is a working password, even if only a demo's.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def next_tuesday_in_three_months() -> dt.date:
    day = timezone.localdate() + dt.timedelta(weeks=12)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


class Command(BaseCommand):
    help = (
        f"Make sure the demo event “{DEMO_SLUG}” and its organizer “{USERNAME}” exist "
        "(used by make run). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1:8000", help="where runserver will listen (for the links)"
        )

    def handle(self, *args, host: str = "127.0.0.1:8000", **options):
        base_url = f"http://{host}"
        event = Event.objects.filter(slug=DEMO_SLUG).first()
        if event is None:
            start = next_tuesday_in_three_months()
            event = generate_demo(
                sessions=DEMO_SESSIONS,
                seed=DEMO_SEED,
                slug=DEMO_SLUG,
                start_date=start,
                name=f"DemoCon {start.year}",
            )
            stars = star_demo(event, seed=DEMO_SEED)
            self.stdout.write(f"Created the demo event {describe(event)}, and {stars} stars.")
        else:
            self.stdout.write(f"The demo event “{event.name}” is already there.")

        path = login_file()
        password = read_password(path)
        if password is None:
            password = secrets.token_urlsafe(12)
            write_password(path, password)
        self.ensure_organizer(event, password)

        self.stdout.write(
            "\n"
            f"  Public schedule:  {base_url}/{DEMO_SLUG}/schedule/\n"
            f"  Organizer admin:  {base_url}/admin/\n"
            f"  Schedule board:   {base_url}/admin/events/event/{event.pk}/board/\n"
            f"  Username:         {USERNAME}\n"
            f"  Password:         {password}\n"
            f"  (kept in {shown(path)})\n"
        )

    @transaction.atomic
    def ensure_organizer(self, event: Event, password: str) -> None:
        """A staff, non-superuser owner of the demo event, with this password."""
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        changed = []
        for name, value in (("is_staff", True), ("is_superuser", False), ("is_active", True)):
            if getattr(user, name) != value:
                setattr(user, name, value)
                changed.append(name)
        if not user.check_password(password):
            user.set_password(password)
            changed.append("password")
        if changed:
            user.save()
        membership, _ = Membership.objects.get_or_create(
            user=user, event=event, defaults={"role": Membership.Role.OWNER}
        )
        if membership.role != Membership.Role.OWNER:
            membership.role = Membership.Role.OWNER
            membership.save(update_fields=["role"])
