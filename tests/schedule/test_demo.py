"""The demo generator and the generate_demo / setup_demo commands."""

import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from events.models import Event, Membership
from schedule.demo import DemoError, generate_demo, summary
from schedule.models import Session, SessionSpeaker
from schedule.rules import find_clashes
from speakers.models import Speaker

pytestmark = pytest.mark.django_db

N = 40


@pytest.fixture
def demo():
    return generate_demo(sessions=N, seed=7, slug="demo")


def fingerprint(event: Event):
    """Everything that should be the same for the same seed, except primary keys."""
    sessions = [
        (
            s.guid,
            s.title,
            s.slug,
            s.starts_at,
            s.ends_at,
            s.status,
            s.room.name if s.room else None,
            s.track.name if s.track else None,
            s.session_type.name,
            s.abstract,
            tuple((link.speaker.name, link.role, link.position) for link in s.speaker_links.all()),
        )
        for s in Session.objects.filter(event=event).with_details().order_by("guid")
    ]
    speakers = list(
        Speaker.objects.filter(event=event)
        .order_by("slug")
        .values_list("name", "slug", "job_title", "company", "bio", "github")
    )
    with_avatar = sorted(Speaker.objects.filter(event=event).exclude(avatar="").values_list("slug"))
    rooms = list(event.rooms.values_list("name", "capacity", "position"))
    tracks = list(event.tracks.values_list("name", "color", "position"))
    header = (event.name, event.timezone, event.start_date, event.end_date, event.venue_name)
    return header, rooms, tracks, speakers, with_avatar, sessions


def test_counts_are_plausible(demo):
    counts = summary(demo)
    assert counts["sessions"] == N
    assert 3 <= counts["rooms"] <= 25
    assert counts["tracks"] >= 4
    assert counts["types"] == 6
    assert N <= counts["speakers"] <= 2 * N
    assert 0 < counts["avatars"] < counts["speakers"]
    assert counts["draft"] >= 2
    assert counts["cancelled"] in (1, 2)
    assert counts["days"] >= 2
    assert demo.is_published
    assert demo.timezone in zoneinfo.available_timezones()
    assert demo.timezone != "UTC"
    colours = list(demo.tracks.values_list("color", flat=True))
    assert len(set(colours)) == len(colours)
    assert set(demo.session_types.values_list("slug", flat=True)) == {
        "keynote",
        "talk",
        "lightning-talk",
        "panel",
        "workshop",
        "break",
    }
    assert list(demo.session_types.filter(is_break=True).values_list("slug", flat=True)) == [
        "break"
    ]


def test_every_kind_of_session_is_there(demo):
    sessions = Session.objects.filter(event=demo).with_details()
    by_type = {}
    for session in sessions:
        by_type.setdefault(session.session_type.slug, []).append(session)
    assert set(by_type) == {"keynote", "talk", "lightning-talk", "panel", "workshop", "break"}

    for panel in by_type["panel"]:
        assert len(panel.moderator_list) == 1
        assert len(panel.speaker_list) >= 3
        assert {link.role for link in panel.speaker_list} == {SessionSpeaker.Role.PANELIST}
        assert [link.position for link in panel.speaker_links.all()] == list(
            range(len(panel.speaker_links.all()))
        )
    for session in by_type["break"]:
        assert not session.speaker_links.all()
        assert session.track is None
        assert session.room is None or session.room.position == 0
    assert any(s.room is None for s in by_type["break"])
    assert {s.title for s in by_type["break"]} >= {"Coffee break", "Lunch"}
    for session in by_type["talk"] + by_type["keynote"] + by_type["workshop"]:
        assert session.speaker_list, session.title

    largest = demo.rooms.order_by("-capacity").first()
    assert {s.room for s in by_type["keynote"]} == {largest}


def test_markup_and_slugs_are_filled_like_save_would(demo):
    sessions = Session.objects.filter(event=demo)
    assert all(s.slug for s in sessions)
    assert all(s.abstract_html.startswith("<p>") for s in sessions if s.abstract)
    assert any("<ul>" in s.abstract_html or "<a " in s.abstract_html for s in sessions)
    speakers = Speaker.objects.filter(event=demo)
    assert all(s.slug and s.bio_html.startswith("<p>") for s in speakers)
    assert len({s.name for s in speakers}) == speakers.count()


def test_avatars_are_real_files(demo, settings):
    speaker = Speaker.objects.filter(event=demo).exclude(avatar="").first()
    assert speaker.avatar.name.startswith(f"avatars/{demo.pk}/")
    assert speaker.avatar.size > 1000
    assert speaker.avatar_thumb.size < speaker.avatar.size
    assert (settings.MEDIA_ROOT / speaker.avatar.name).exists()


def test_the_schedule_has_no_clashes_and_fits_the_days(demo):
    assert find_clashes(demo) == []
    tz = demo.tzinfo
    scheduled = Session.objects.filter(event=demo, starts_at__isnull=False)
    for session in scheduled:
        assert session.starts_at.tzinfo is not None
        assert session.starts_at.utcoffset() == dt.timedelta(0)  # stored in UTC
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        assert demo.start_date <= start.date() == end.date() <= demo.end_date
        assert dt.time(9) <= start.time() < end.time() <= dt.time(18)
    # Every day of the event has a programme.
    assert {s.starts_at.astimezone(tz).date() for s in scheduled} == set(demo.days)
    # One draft waits to be placed; the rest are scheduled.
    assert Session.objects.filter(event=demo, starts_at__isnull=True).count() == 1


def test_a_large_event_has_no_clashes():
    event = generate_demo(sessions=600, seed=3, slug="large", avatars_share=0.1)
    counts = summary(event)
    assert counts["sessions"] == 600
    assert 20 <= counts["rooms"] <= 25
    assert 600 <= counts["speakers"] <= 1000
    assert counts["cancelled"] == 2
    assert find_clashes(event) == []


def test_the_same_seed_gives_the_same_event():
    first = generate_demo(sessions=N, seed=5, slug="first")
    second = generate_demo(sessions=N, seed=5, slug="second")
    assert fingerprint(first) == fingerprint(second)


def test_another_seed_gives_another_event():
    first = generate_demo(sessions=N, seed=5, slug="first")
    other = generate_demo(sessions=N, seed=6, slug="other")
    a, b = fingerprint(first), fingerprint(other)
    assert {s[0] for s in a[-1]}.isdisjoint({s[0] for s in b[-1]})  # guids
    assert [s[1] for s in a[-1]] != [s[1] for s in b[-1]]  # titles
    assert a[3] != b[3]  # speakers


def test_start_date_and_avatar_share_can_be_chosen():
    event = generate_demo(
        sessions=N, seed=2, slug="chosen", start_date=dt.date(2031, 1, 14), avatars_share=0
    )
    assert event.start_date == dt.date(2031, 1, 14)
    assert summary(event)["avatars"] == 0
    everyone = generate_demo(sessions=N, seed=2, slug="everyone", avatars_share=1)
    counts = summary(everyone)
    assert counts["avatars"] == counts["speakers"]


def test_an_existing_slug_is_refused_unless_replaced(demo):
    with pytest.raises(DemoError, match="already exists"):
        generate_demo(sessions=N, seed=7, slug="demo")
    assert Event.objects.get(slug="demo").pk == demo.pk

    replaced = generate_demo(sessions=N + 10, seed=8, slug="demo", replace=True)
    assert replaced.pk != demo.pk
    assert Event.objects.filter(slug="demo").count() == 1
    assert Session.objects.filter(event_id=demo.pk).count() == 0
    assert summary(replaced)["sessions"] == N + 10


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sessions": 5}, "between"),
        ({"sessions": 1_000_000}, "between"),
        ({"sessions": N, "slug": "not a slug"}, "not a slug"),
        ({"sessions": N, "avatars_share": 1.5}, "between 0 and 1"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(DemoError, match=message):
        generate_demo(**kwargs)
    assert not Event.objects.exists()


# --- commands -------------------------------------------------------------------------


def test_generate_demo_command_prints_a_summary():
    out = io.StringIO()
    call_command("generate_demo", "--sessions", str(N), "--slug", "cmd", "--seed", "4", stdout=out)
    line = out.getvalue().strip()
    assert "\n" not in line
    assert f"{N} sessions" in line and "speakers" in line and "rooms" in line
    assert Session.objects.filter(event__slug="cmd").count() == N


def test_generate_demo_command_replaces_only_when_asked():
    call_command("generate_demo", "--sessions", str(N), "--slug", "cmd", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("generate_demo", "--sessions", str(N), "--slug", "cmd", stdout=io.StringIO())
    call_command(
        "generate_demo",
        "--sessions",
        "30",
        "--slug",
        "cmd",
        "--replace",
        "--avatars-share",
        "0",
        stdout=io.StringIO(),
    )
    assert Session.objects.filter(event__slug="cmd").count() == 30


@pytest.mark.parametrize(
    "args",
    [
        [],  # --sessions is required
        ["--sessions", "many"],
        ["--sessions", "3"],
        ["--sessions", "40", "--avatars-share", "-0.5"],
        ["--sessions", "40", "--slug", "no spaces"],
        ["--sessions", "40", "--start-date", "next spring"],
    ],
)
def test_generate_demo_command_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("generate_demo", *args, stdout=io.StringIO())
    assert not Event.objects.exists()


@pytest.fixture
def project_dir(settings, tmp_path):
    """setup_demo keeps the login under BASE_DIR/var: use a throw-away folder."""
    settings.BASE_DIR = tmp_path / "project"
    return settings.BASE_DIR


def run_setup_demo() -> str:
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"Password:\s+(\S+)", output).group(1)


def test_setup_demo_creates_the_event_and_an_organizer_who_can_log_in(project_dir):
    output = run_setup_demo()
    event = Event.objects.get(slug="democon")
    assert summary(event)["sessions"] == 150
    assert find_clashes(event) == []
    assert event.is_published
    assert event.timezone == "America/Los_Angeles"
    assert event.start_date > dt.date.today()
    assert "http://127.0.0.1:8000/admin/" in output
    assert "http://127.0.0.1:8000/democon/schedule/" in output
    assert "organizer" in output

    password = printed_password(output)
    assert password in (project_dir / "var" / "demo-login.txt").read_text()
    user = get_user_model().objects.get(username="organizer")
    assert user.is_staff and not user.is_superuser
    assert Membership.objects.get(user=user, event=event).role == Membership.Role.OWNER
    assert Client().login(username="organizer", password=password)


def test_setup_demo_is_idempotent(project_dir):
    first = run_setup_demo()
    event = Event.objects.get(slug="democon")
    user = get_user_model().objects.get(username="organizer")
    before = (event.changed_at, Session.objects.count(), Speaker.objects.count(), user.password)

    second = run_setup_demo()
    event.refresh_from_db()
    user.refresh_from_db()
    after = (event.changed_at, Session.objects.count(), Speaker.objects.count(), user.password)
    assert after == before
    assert printed_password(second) == printed_password(first)
    assert Event.objects.count() == 1
    assert Membership.objects.count() == 1


def test_setup_demo_restores_the_kept_password(project_dir):
    password = printed_password(run_setup_demo())
    user = get_user_model().objects.get(username="organizer")
    user.set_password("something else")
    user.is_superuser = True
    user.save()

    assert printed_password(run_setup_demo()) == password
    user.refresh_from_db()
    assert not user.is_superuser
    assert Client().login(username="organizer", password=password)
