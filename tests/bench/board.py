"""The organizers' board in `make bench`: opening it for a 600-session, 25-room event and
moving one session (server time, through Django's test client, as the rest of the bench).
"""

import statistics
import time

BUDGET_OPEN_MS = 100
# Issue 10: "a few milliseconds" (5.8-7.4 ms p50 in quiet runs); sign-in and session ~2-3.
BUDGET_MOVE_MS = 8


def build(sessions: int = 600):
    """The tests' sized conference (tests/factories.sized_conference: 25 rooms at 600
    sessions, over three days) in Europe/Berlin, none cancelled, one speaker each (as the
    board's budgets were measured); the owner of the tests' cast."""
    from tests.factories import make_cast, sized_conference

    built = sized_conference(
        f"board-{sessions}", sessions, timezone="Europe/Berlin", one_speaker=True, cancel_every=0
    )
    user = make_cast(built.event, prefix=f"board-{sessions}-").owner
    return built.event, user, built.sessions


def run(repeat: int = 7) -> list[str]:
    """Measure the board; return the lines for the bench's notes."""
    import json

    from django.test import Client
    from django.urls import reverse

    from schedule.models import Session

    event, user, sessions = build()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    lines = []
    for name in ("schedule_board", "schedule_board_data"):
        url = reverse(name, args=[event.pk])
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(repeat):
            start = time.thread_time()
            client.get(url)
            times.append((time.thread_time() - start) * 1000)
        p50 = statistics.median(times)
        verdict = "ok" if p50 <= BUDGET_OPEN_MS else "MISSED"
        lines.append(
            f"board of 600 sessions × 25 rooms, {name.removeprefix('schedule_')}: "
            f"{p50:.1f} ms p50, {len(response.content)} bytes "
            f"(budget {BUDGET_OPEN_MS} ms {verdict})"
        )
    # Move one session back and forth between two free hours of the first day (its own
    # slot at 8:00, and 7:00 before anything starts).
    session = sessions[0]
    url = reverse("schedule_board_move", args=[event.pk])
    times = []
    for n in range(repeat * 2):
        version = Session.objects.values_list("version", flat=True).get(pk=session.pk)
        hour = 7 if n % 2 else 8
        payload = {"session": session.pk, "version": version, "room": session.room_id,
                   "day": str(event.start_date), "start": hour * 60, "duration": 40}  # fmt: skip
        start = time.thread_time()
        response = client.post(url, json.dumps(payload), content_type="application/json")
        times.append((time.thread_time() - start) * 1000)
        assert response.status_code == 200, response.content
    p50 = statistics.median(times)
    verdict = "ok" if p50 <= BUDGET_MOVE_MS else "MISSED"
    lines.append(
        f"board move (rules checked, history written): {p50:.1f} ms p50 "
        f"(budget {BUDGET_MOVE_MS} ms {verdict})"
    )
    return lines
