"""Schedule releases (issue 15): drafts on the board stay private until published as one
release; discarding puts everything back; a release rolls back as a new one; the public
changelog, its Atom feed, the "since your last visit" banner and the API tell the changes
in words, with a fixed number of queries."""

import datetime as dt
import json
import re
import zoneinfo

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from lxml import etree

from events.models import Event
from schedule import history as history_lines
from schedule import releases
from schedule.board import Change, apply_changes
from schedule.change_facts import describe, sentence
from schedule.models import (
    AgendaItem,
    DraftChange,
    PublicSnapshot,
    Release,
    ScheduleDraft,
    Session,
    SessionChange,
    SessionSpeaker,
)
from tests.factories import EventFactory, RoomFactory, SessionFactory, SpeakerFactory
from tests.schedule.test_admin import event_form

from .conftest import LA, at
from .test_moves import board_url, move_payload, post_move

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
# Django masks the CSRF token anew in every answer; a calendar is stamped when made.
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|DTSTAMP:[0-9TZ]+')
MOVED = "moved from Mon 10:00am, Cedar to Mon 2:00pm, Oak"


def told(changes) -> list[tuple[str, str]]:
    """(title, words) of stored changes, told in English in the event's zone."""
    with translation.override("en"):
        return [(c.title, sentence(c.facts, LA)) for c in changes]


def public_urls(conf) -> list[str]:
    slug, talk = conf.event.slug, conf.talk_b.slug
    return [
        f"/{slug}/schedule/",
        f"/{slug}/schedule/grid/",
        f"/{slug}/sessions/{talk}/",
        f"/{slug}/sessions/{talk}.ics",
        f"/{slug}/schedule.ics",
        f"/{slug}/schedule.xml",
        f"/{slug}/schedule.json",
        f"/{slug}/changes/",
        f"/{slug}/changes/atom.xml",
        f"/api/v1/events/{slug}/sessions/",
        f"/api/v1/events/{slug}/sessions/{talk}/",
        f"/api/v1/events/{slug}/changes/",
    ]


def bodies(conf, visitor) -> dict[str, bytes]:
    """Each public answer's body, for one visitor (pages carry their CSRF token)."""
    answers = {url: visitor.get(url) for url in public_urls(conf)}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(answers, 200)
    return {url: CSRF.sub(b"", r.content) for url, r in answers.items()}


def draft_two_moves(client, conf):
    """Second talk to Oak 14:00; Coffee into Cedar 10:00, the slot the draft freed."""
    assert client.post(board_url(conf, "schedule_draft_start")).status_code == 302
    moved = post_move(client, conf, **move_payload(conf.talk_b, room=conf.oak.pk, start=14 * 60))
    assert moved.status_code == 200, moved.content
    (row,) = moved.json()["sessions"]
    assert (row["room"], row["start"], row["drafted"]) == (conf.oak.pk, 14 * 60, True)
    coffee = post_move(client, conf, **move_payload(conf.pause, room=conf.cedar.pk, start=10 * 60))
    assert coffee.status_code == 200, coffee.content
    return row


def preview_pages(client, conf) -> dict[str, str]:
    """The preview's list, grid and second talk's page, checked for what every one has."""
    pages = {}
    for key, name, args in [
        ("list", "schedule_draft_preview", []),
        ("grid", "schedule_draft_preview_grid", []),
        ("session", "schedule_draft_preview_session", [conf.talk_b.slug]),
    ]:
        answer = client.get(reverse(name, args=[conf.event.pk, *args]))
        assert answer.status_code == 200, (key, answer.content)
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
        pages[key] = answer.content.decode()
        assert 'class="draft-preview-banner' in pages[key]
    return pages


def test_a_draft_stays_out_of_every_public_page_export_feed_api_and_cache(
    client, conf, owner, stranger
):
    client.force_login(owner)
    releases.baseline(conf.event)
    visitor = Client()
    before = bodies(conf, visitor)  # and cached
    row = draft_two_moves(client, conf)

    # Judged against the draft: Oak at 14:00 is taken there, though free in public.
    refused = post_move(client, conf, **move_payload(conf.keynote, room=conf.oak.pk, start=840))
    assert refused.status_code == 400
    assert "“Second talk”" in refused.json()["error"]
    # A move based on the version before the other draft move: refused, nothing kept.
    stale = post_move(
        client, conf, **move_payload(conf.talk_b, room=conf.hall.pk, start=15 * 60, version=1)
    )
    assert stale.status_code == 409
    assert DraftChange.objects.filter(session=conf.talk_b).get().room == conf.oak
    assert row["v"] == conf.talk_b.version + 1

    # Nothing public moved: rows, cached answers, freshly rendered answers.
    conf.talk_b.refresh_from_db()
    assert (conf.talk_b.room, conf.talk_b.starts_at) == (conf.cedar, at(10))
    assert bodies(conf, visitor) == before
    cache.clear()
    assert bodies(conf, visitor) == before
    board = client.get(board_url(conf, "schedule_board_data")).json()
    drafted = {s["title"] for s in board["sessions"] if s.get("drafted")}
    assert drafted == {"Second talk", "Coffee"} and board["draft"] is True

    # The preview: the public pages with the draft applied, for members only, marked,
    # linking to each other, never cached, and nothing of it left in the shared cache.
    keys = set(cache._cache)
    html = preview_pages(client, conf)
    assert set(cache._cache) == keys and bodies(conf, visitor) == before
    assert MOVED in html["list"]  # the banner: what the changelog will say
    assert "moved from Mon 11:00am, Hall to Mon 10:00am, Cedar" in html["list"]
    assert "2:00pm" in html["session"] and "Oak" in html["session"]
    assert "2:00pm" not in before[f"/{conf.event.slug}/sessions/{conf.talk_b.slug}/"].decode()
    base = reverse("schedule_draft_preview", args=[conf.event.pk])
    assert f'href="{base}sessions/{conf.talk_b.slug}/"' in html["list"]
    assert f'href="{base}grid/"' in html["list"] and "data-changes-banner" not in html["list"]
    assert f'href="/{conf.event.slug}/sessions/' not in html["grid"]
    assert "data-worker" not in html["grid"] and 'rel="manifest"' not in html["grid"]
    client.force_login(stranger)
    assert client.get(base).status_code == 404
    client.force_login(owner)

    # Publishing: one release, with its note, its author and the changes in words.
    answer = client.post(board_url(conf, "schedule_draft_publish"), {"note": "Room swap"})
    assert answer.status_code == 302
    conf.talk_b.refresh_from_db()
    assert (conf.talk_b.room, conf.talk_b.starts_at) == (conf.oak, at(14))
    release = Release.objects.get(event=conf.event, number=2)
    assert (release.kind, release.note, release.user) == ("release", "Room swap", owner)
    assert sorted(told(release.changes.all())) == [
        ("Coffee", "moved from Mon 11:00am, Hall to Mon 10:00am, Cedar"),
        ("Second talk", MOVED),
    ]
    assert not ScheduleDraft.objects.exists()
    assert LogEntry.objects.filter(change_message__contains="published from the draft").count() == 2
    after = bodies(conf, visitor)
    version = json.loads(after[f"/{conf.event.slug}/schedule.json"])["schedule"]["version"]
    assert version.startswith("Release 2: Room swap (lineup-")
    page = after[f"/{conf.event.slug}/changes/"].decode()
    assert "Room swap" in page and MOVED in page
    assert f'href="/{conf.event.slug}/sessions/{conf.talk_b.slug}/"' in page
    api = json.loads(after[f"/api/v1/events/{conf.event.slug}/changes/"])
    assert api["latest"] == 2
    moved = {c["title"]: c for c in api["releases"][0]["changes"]}["Second talk"]
    assert (moved["before"]["room"], moved["after"]["room"], moved["kind"]) == (
        "Cedar",
        "Oak",
        "moved",
    )


def test_discarding_a_draft_puts_everything_back(client, conf, owner):
    client.force_login(owner)
    draft_two_moves(client, conf)
    assert client.post(board_url(conf, "schedule_draft_discard")).status_code == 302
    assert not DraftChange.objects.exists()
    conf.talk_b.refresh_from_db()
    assert (conf.talk_b.room, conf.talk_b.starts_at) == (conf.cedar, at(10))
    board = client.get(board_url(conf, "schedule_board_data")).json()
    assert not any(s.get("drafted") for s in board["sessions"]) and board["draft"] is False
    assert list(Release.objects.values_list("kind", flat=True)) == ["first"]


def test_a_release_rolls_back_as_a_new_release(client, conf, owner):
    client.force_login(owner)
    draft_two_moves(client, conf)
    client.post(board_url(conf, "schedule_draft_publish"), {"note": ""})
    url = reverse("schedule_release_rollback", args=[conf.event.pk, 2])
    assert client.post(url).status_code == 302
    conf.talk_b.refresh_from_db()
    assert (conf.talk_b.room, conf.talk_b.starts_at) == (conf.cedar, at(10))
    back = Release.objects.get(number=3)
    assert (back.kind, back.note, back.undoes, back.user) == ("rollback", "", 2, owner)
    assert ("Second talk", "moved from Mon 2:00pm, Oak to Mon 10:00am, Cedar") in told(
        back.changes.all()
    )
    line = LogEntry.objects.filter(object_id=str(conf.talk_b.pk)).latest("pk")
    with translation.override("de"):  # the History line, worded for its reader
        assert history_lines.message(line).endswith(", Cedar (Rücknahme von Version 2).")
    client.post(url)  # again: nothing is left to put back, no empty release is made
    assert Release.objects.count() == 3
    history = client.get(board_url(conf, "schedule_releases")).content.decode()
    assert "Release 3: release 2 rolled back" in history and "owner" in history
    page = Client().get(f"/{conf.event.slug}/changes/", **GERMAN).content.decode()
    assert "Version 2 zurückgenommen." in page
    assert "Nothing to roll back" in history


def snap(**changes) -> dict:
    base = {
        "title": "Talk", "slug": "talk", "status": "published", "room": 1,
        "room_name": "Cedar", "starts_at": at(10).isoformat(), "ends_at": at(10, 40).isoformat(),
        "speakers": [[1, "Ada Lovelace"]],
    }  # fmt: skip
    return {**base, **changes}


@pytest.mark.parametrize(
    ("before", "after", "kind", "words"),
    [
        (None, snap(), "new", "new: Mon 10:00am, Cedar"),
        (snap(), snap(room=2, room_name="Oak", starts_at=at(14).isoformat()), "moved", MOVED),
        (snap(), snap(ends_at=at(11).isoformat()), "resized", "now ends at 11:00am (was 10:40am)"),
        (snap(), snap(status="cancelled"), "cancelled", "cancelled"),
        (snap(status="cancelled"), snap(), "restored", "back on the schedule"),
        (snap(), snap(title="Better talk"), "retitled", "retitled (was “Talk”)"),
        (snap(), snap(speakers=[[1, "Ada Lovelace"], [2, "Grace Hopper"]]), "speakers",
         "speaker added: Grace Hopper"),
        (snap(), snap(speakers=[]), "speakers", "speaker removed: Ada Lovelace"),
        (snap(), None, "removed", "removed from the schedule"),
        (snap(), snap(room=None, room_name="", starts_at=at(9).isoformat()), "moved",
         "moved from Mon 10:00am, Cedar to Mon 9:00am, all rooms"),
    ],
)  # fmt: skip
def test_each_kind_of_change_has_its_words(before, after, kind, words):
    found, facts = describe(before, after)
    with translation.override("en"):
        assert (found, sentence(facts, LA)) == (kind, words)
    assert describe(snap(), snap()) is None


def test_live_changes_from_the_admin_and_the_api_are_recorded(client, conf, owner):
    releases.baseline(conf.event)
    client.force_login(owner)
    client.post(
        reverse("admin:schedule_session_changelist"),
        {"action": "cancel", "_selected_action": [conf.keynote.pk]},
    )
    grace = SpeakerFactory(event=conf.event, name="Grace Hopper")
    SessionSpeaker.objects.create(session=conf.talk_b, speaker=grace)
    releases.record(conf.event, owner, [conf.talk_b.pk], how="test")
    changes = SessionChange.objects.order_by("pk").select_related("release")
    assert [(c.release.how, *told([c])[0]) for c in changes] == [
        ("bulk action", "Keynote", "cancelled"),
        ("test", "Second talk", "speaker added: Grace Hopper"),
    ]
    history = client.get(board_url(conf, "schedule_releases"), **GERMAN).content.decode()
    assert "(mit einer Sammelaktion)" in history and "abgesagt" in history


def test_the_atom_feed_is_valid_and_names_the_moved_session(client, conf, owner):
    client.force_login(owner)
    releases.baseline(conf.event)
    draft_two_moves(client, conf)
    client.post(board_url(conf, "schedule_draft_publish"), {"note": "Room swap"})
    page = Client().get(f"/{conf.event.slug}/changes/").content.decode()
    feed_url = f"/{conf.event.slug}/changes/atom.xml"
    assert '<link rel="alternate" type="application/atom+xml"' in page and feed_url in page
    answer = Client().get(feed_url)
    assert answer["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(answer.content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2  # the release and the first schedule
    for entry in entries:
        assert all(entry.find(f"{ATOM}{name}") is not None for name in ("id", "title", "updated"))
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
    assert entries[0].find(f"{ATOM}title").text == "Release 2: Room swap: 2 changes"
    summary = entries[0].find(f"{ATOM}summary").text
    assert MOVED in summary and f"/sessions/{conf.talk_b.slug}/" in summary


def test_the_banner_counts_changes_since_the_last_visit(client, conf, owner):
    releases.baseline(conf.event)
    slug = conf.event.slug
    visitor = Client()
    banner = f"/{slug}/changes/banner"
    first = visitor.get(banner)
    assert first.status_code == 204 and not first.cookies  # no agenda, no consent: no cookie
    visitor.post(f"/{slug}/agenda/{conf.talk_b.slug}/add")  # an agenda: visits are counted
    assert visitor.get(banner).status_code == 204
    assert visitor.cookies[f"lineup_seen_{conf.event.pk}"].value == "1"

    client.force_login(owner)
    draft_two_moves(client, conf)
    client.post(board_url(conf, "schedule_draft_publish"), {"note": ""})
    shown = visitor.get(banner).content.decode()
    assert "2 changes since your last visit — 1 in your agenda" in shown
    assert MOVED in shown
    assert Client().get(banner).status_code == 204  # others see nothing
    visitor.post(f"/{slug}/changes/seen", {"next": f"/{slug}/schedule/"})
    assert visitor.get(banner).status_code == 204
    # The agenda's marks follow releases: the starred talk is flagged as moved now.
    assert AgendaItem.objects.get().changes(Session.objects.get(pk=conf.talk_b.pk)) == [
        "time",
        "room",
    ]


@pytest.mark.parametrize("size", [1, 4])
def test_changelog_feed_banner_and_api_queries_do_not_grow(
    client, conf, owner, size, django_assert_num_queries
):
    releases.baseline(conf.event)
    room = RoomFactory(event=conf.event, name="Annex")
    for n in range(size):
        session = SessionFactory(event=conf.event, title=f"Extra {n}", room=room,
                                 starts_at=at(12 + n), ends_at=at(12 + n, 30))  # fmt: skip
        releases.record(conf.event, owner, [session.pk])
        Session.objects.filter(pk=session.pk).update(title=f"Extra {n}!")
        releases.record(conf.event, owner, [session.pk])
    assert Release.objects.count() == 1 + 2 * size
    slug, visitor = conf.event.slug, Client()
    visitor.cookies[f"lineup_seen_{conf.event.pk}"] = "1"
    for url, queries in [
        (f"/{slug}/changes/banner", 4),
        (f"/{slug}/changes/", 3),
        (f"/{slug}/changes/atom.xml", 3),
        (f"/api/v1/events/{slug}/changes/?since=1", 4),
    ]:
        cache.clear()
        with django_assert_num_queries(queries):
            assert visitor.get(url).status_code == 200


def test_the_api_gives_changes_since_a_release_or_a_time(conf, owner):
    releases.baseline(conf.event)
    Session.objects.filter(pk=conf.keynote.pk).set_status(Session.Status.CANCELLED)
    releases.record(conf.event, owner, [conf.keynote.pk])
    url, visitor = f"/api/v1/events/{conf.event.slug}/changes/", Client()
    since = visitor.get(url, {"since": 1}).json()
    assert since["latest"] == 2
    assert [(r["number"], [c["words"] for c in r["changes"]]) for r in since["releases"]] == [
        (2, ["cancelled"])
    ]
    created = Release.objects.get(number=2).created_at
    later = visitor.get(url, {"since_time": created.isoformat()}).json()
    assert later["releases"] == []
    assert visitor.get(url, {"since": "two"}).status_code == 400
    assert visitor.get(url, {"since_time": "yesterday"}).status_code == 400


def test_the_changelog_state_of_written_sessions_is_read_from_memory_as_stored(conf, owner):
    """A move records its change from the sessions it has just written (rooms, speakers in
    their order, times in UTC), which must equal what a fresh read gives: else the
    changelog would list changes that did not happen, or miss some."""
    grace = SpeakerFactory(event=conf.event, name="Grace Hopper")
    SessionSpeaker.objects.filter(session=conf.keynote).update(position=2)
    SessionSpeaker.objects.create(session=conf.keynote, speaker=grace, position=1)
    moves = [
        Change(conf.keynote.pk, {"room_id": conf.oak.pk, "starts_at": at(14), "ends_at": at(15)}),
        Change(conf.talk_b.pk, {"room_id": None, "starts_at": None, "ends_at": None}),
        Change(conf.pause.pk, {"room_id": conf.hall.pk}),  # where it was: not written
    ]
    written = apply_changes(conf.event, owner, moves, how="test")
    ids = [c.session_id for c in moves]
    remembered = releases.written_state(conf.event, written)
    assert remembered == releases.public_state(conf.event, ids)
    assert remembered[conf.keynote.pk]["speakers"] == [
        [grace.pk, "Grace Hopper"],
        [conf.ada.pk, "Ada Lovelace"],
    ]
    assert remembered[conf.keynote.pk]["room_name"] == "Oak"


GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}
MOVED_DE = "verlegt von Mo 10:00, Cedar auf Mo 14:00, Oak"


def test_changes_are_told_in_the_visitors_language_from_the_same_facts(client, conf, owner):
    releases.baseline(conf.event)
    slug = conf.event.slug
    visitor = Client()
    visitor.post(f"/{slug}/agenda/{conf.talk_b.slug}/add")
    visitor.get(f"/{slug}/changes/banner")  # remembers release 1
    client.force_login(owner)
    draft_two_moves(client, conf)
    client.post(board_url(conf, "schedule_draft_publish"), {"note": "Saaltausch"})
    (stored,) = SessionChange.objects.filter(session_id=conf.talk_b.pk).values_list("facts")
    assert stored[0] == [
        {
            "kind": "moved",
            "start": "2030-05-06T21:00:00+00:00",  # stored in UTC
            "room": "Oak",
            "was_start": "2030-05-06T17:00:00+00:00",
            "was_room": "Cedar",
        }
    ]
    english = visitor.get(f"/{slug}/changes/").content.decode()
    german = visitor.get(f"/{slug}/changes/", **GERMAN).content.decode()
    assert MOVED in english and MOVED_DE not in english
    assert MOVED_DE in german and "Version 2" in german
    feed = visitor.get(f"/{slug}/changes/atom.xml", **GERMAN).content.decode()
    assert MOVED_DE in feed and "Version 2: Saaltausch: 2 Änderungen" in feed
    assert MOVED_DE in visitor.get(f"/{slug}/changes/banner", **GERMAN).content.decode()
    api = f"/api/v1/events/{slug}/changes/"
    (de, en) = (visitor.get(api, **GERMAN).json(), visitor.get(api).json())
    words = {lang: {c["title"]: c["words"] for c in r["releases"][0]["changes"]}
             for lang, r in (("de", de), ("en", en))}  # fmt: skip
    assert (words["de"]["Second talk"], words["en"]["Second talk"]) == (MOVED_DE, MOVED)
    assert de["releases"][0]["changes"][1]["facts"] == en["releases"][0]["changes"][1]["facts"]
    history = client.get(board_url(conf, "schedule_releases"), **GERMAN).content.decode()
    assert MOVED_DE in history


@pytest.mark.django_db(transaction=True)
def test_stored_sentences_become_facts_and_back_without_loss(conf, owner):
    """Migration 0011: each stored change gets its facts from its snapshots; one whose
    snapshots tell nothing keeps its sentence; going back writes the English sentences.
    Migration 0012: an event published without a release gets its baseline."""
    releases.baseline(conf.event)
    Session.objects.filter(pk=conf.talk_b.pk).update(room=conf.oak, title="Better talk")
    releases.record(conf.event, owner, [conf.talk_b.pk])
    (facts,) = SessionChange.objects.values_list("facts", flat=True)
    old = [("schedule", "0010_releases")]
    executor = MigrationExecutor(connection)
    executor.migrate(old)
    state = executor.loader.project_state(old).apps.get_model("schedule", "SessionChange")
    (back,) = state.objects.values_list("words", flat=True)
    assert back == "moved from Mon 10:00am, Cedar to Mon 10:00am, Oak; retitled (was “Second talk”)"
    state.objects.create(
        release_id=state.objects.get().release_id, session_id=conf.keynote.pk, kind="new",
        title="Keynote", words="a sentence from before", before=None, after=None,
    )  # fmt: skip
    older = EventFactory(slug="older-conf")  # published before releases were kept
    SessionFactory(event=older, title="Old talk")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the newest
    # 0012: its baseline, so that its first change is listed; not shown as a publication.
    baseline = Release.objects.get(event=older)
    assert (baseline.kind, baseline.how) == ("first", "baseline")
    assert PublicSnapshot.objects.filter(event=older).count() == 1
    assert "The schedule is published." not in Client().get("/older-conf/changes/").content.decode()
    assert list(SessionChange.objects.order_by("pk").values_list("facts", flat=True)) == [
        facts,
        [{"kind": "text", "text": "a sentence from before"}],
    ]


def test_a_cancellation_on_the_board_is_kept_in_the_draft_until_published(client, conf, owner):
    client.force_login(owner)
    releases.baseline(conf.event)
    url = board_url(conf, "schedule_board_status")

    def status(session, value, version=None):
        body = {"session": session.pk, "version": version or session.version, "status": value}
        return client.post(url, json.dumps(body), content_type="application/json")

    refused = status(conf.keynote, "cancelled")  # outside draft mode
    assert refused.status_code == 400 and "draft mode" in refused.json()["error"]
    assert client.post(board_url(conf, "schedule_draft_start")).status_code == 302
    assert status(conf.keynote, "draft").status_code == 400
    assert "put back" in status(conf.keynote, "published").json()["error"]
    answer = status(conf.keynote, "cancelled")
    assert answer.status_code == 200, answer.content
    (row,) = answer.json()["sessions"]
    assert (row["status"], row["drafted"], row["v"]) == (
        "cancelled",
        True,
        conf.keynote.version + 1,
    )
    assert status(conf.keynote, "published").status_code == 409  # based on the old version
    conf.keynote.refresh_from_db()
    assert conf.keynote.status == "published"
    page = Client().get(f"/{conf.event.slug}/sessions/{conf.keynote.slug}/").content.decode()
    preview = reverse("schedule_draft_preview_session", args=[conf.event.pk, conf.keynote.slug])
    shown = client.get(preview).content.decode()
    assert "Cancelled" not in page and "Cancelled" in shown
    assert f'/sessions/{conf.keynote.slug}/">Keynote</a>: cancelled' in shown
    client.post(board_url(conf, "schedule_draft_publish"), {"note": ""})
    conf.keynote.refresh_from_db()
    assert conf.keynote.status == "cancelled"
    assert told(Release.objects.get(number=2).changes.all()) == [("Keynote", "cancelled")]


@pytest.mark.parametrize("size", [1, 6])
def test_preview_pages_queries_do_not_grow_with_the_event(client, conf, owner, size):
    room = RoomFactory(event=conf.event, name="Annex")
    for n in range(size):
        SessionFactory(event=conf.event, title=f"Extra {n}", room=room,
                       starts_at=at(12 + n), ends_at=at(12 + n, 30))  # fmt: skip
    client.force_login(owner)
    draft_two_moves(client, conf)
    counted = {}
    for name, args in [
        ("schedule_draft_preview", []),
        ("schedule_draft_preview_grid", []),
        ("schedule_draft_preview_session", [conf.talk_b.slug]),
    ]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name, args=[conf.event.pk, *args])).status_code == 200
        counted[name] = len(captured)
    assert counted == {
        "schedule_draft_preview": 35,
        "schedule_draft_preview_grid": 35,
        "schedule_draft_preview_session": 31,
    }


def test_publishing_an_event_starts_its_changelog_so_the_first_change_is_listed(client, owner):
    client.force_login(owner)
    answer = client.post(reverse("admin:events_event_add"), event_form(is_published="on"))
    assert answer.status_code == 302
    event = Event.objects.get(slug="fresh-conf")
    first = Release.objects.get(event=event)
    assert (first.number, first.kind, first.user) == (1, "first", owner)
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    opening = SessionFactory(
        event=event, title="Opening", room=RoomFactory(event=event, name="Main"),
        starts_at=dt.datetime(2031, 3, 2, 10, tzinfo=berlin),
        ends_at=dt.datetime(2031, 3, 2, 11, tzinfo=berlin),
    )  # fmt: skip
    releases.record(event, owner, [opening.pk], how="admin")
    page = Client().get("/fresh-conf/changes/").content.decode()
    assert "Opening</a>: new: Sun 10:00am, Main" in page
    assert page.index("Opening</a>") < page.index("The schedule is published.")
