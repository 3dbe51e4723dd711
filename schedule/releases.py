"""Releases of the public schedule: recording what changed, drafts, publishing, rollback.

What visitors saw is kept per session in ``PublicSnapshot``. ``record`` compares the
public sessions with it after a write, stores one ``SessionChange`` per session that
changed (as facts, ``change_facts.describe``, told in words when read) under a new
``Release``, and moves the snapshot on. Every write path calls it: the board, the
admin's forms and bulk actions, the API and the importer; the first call for a
published event only takes the baseline.

A board in draft mode writes ``DraftChange`` rows instead of sessions. Each draft move is
judged by the board's own ``apply_changes`` against the whole draft, inside a savepoint
that is rolled back, so the rules are the same and no public row is touched until the
draft is published (through ``apply_changes`` again, in one transaction).
"""

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _

from events.models import Event
from lib import sql

from .board import BoardError, Change, StaleChange, apply_changes, lock_event
from .change_facts import describe
from .models import (
    DraftChange,
    PublicSnapshot,
    Release,
    ScheduleDraft,
    Session,
    SessionChange,
    SessionSpeaker,
)

# What visitors see ---------------------------------------------------------------------


def _instant(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _seen(title, slug, status, room_id, room_name, starts_at, ends_at) -> dict:
    """One session's snapshot data: what visitors see of it (speakers added after)."""
    return {
        "title": title,
        "slug": slug,
        "status": status,
        "room": room_id,
        "room_name": room_name or "",
        "starts_at": _instant(starts_at),
        "ends_at": _instant(ends_at),
        "speakers": [],
    }


def public_state(event: Event, session_ids=None) -> dict[int, dict]:
    """The public sessions of ``event`` (or those of ``session_ids``) as snapshot data."""
    sessions = Session.objects.filter(event=event, status__in=Session.PUBLIC_STATUSES)
    if session_ids is not None:
        sessions = sessions.filter(pk__in=list(session_ids))
    fields = ("title", "slug", "status", "room_id", "room__name", "starts_at", "ends_at")
    state = {row[0]: _seen(*row[1:]) for row in sessions.values_list("id", *fields)}
    links = (
        SessionSpeaker.objects.filter(session__in=sessions.values("pk"))
        .order_by("session_id", "position", "speaker__name")
        .values_list("session_id", "speaker_id", "speaker__name")
    )
    for session_id, speaker_id, name in links:
        state[session_id]["speakers"].append([speaker_id, name])
    return state


def written_state(event: Event, sessions: list[Session]) -> dict[int, dict]:
    """``public_state`` of the sessions ``apply_changes`` returned, from memory where it
    wrote them: it loaded their rooms and speakers (``speaker_names``). Those it left as
    they were (dropped where they stood) are read as usual."""
    unwritten = [s.pk for s in sessions if not hasattr(s, "speaker_names")]
    state = public_state(event, unwritten) if unwritten else {}
    for s in sessions:
        if s.status in Session.PUBLIC_STATUSES and hasattr(s, "speaker_names"):
            room_name = s.room.name if s.room_id else ""
            state[s.pk] = _seen(s.title, s.slug, s.status, s.room_id, room_name, s.starts_at,
                                s.ends_at)  # fmt: skip
            state[s.pk]["speakers"] = [list(pair) for pair in s.speaker_names]
    return state


# Recording -----------------------------------------------------------------------------


def _snapshots(event: Event, session_ids=None) -> dict[int, dict]:
    """What visitors last saw of the event's sessions (or of ``session_ids``)."""
    query = "SELECT session_id, data FROM schedule_publicsnapshot WHERE event_id = %s"
    if session_ids is None:
        found = sql.rows(query, [event.pk])
    else:
        found = sql.rows(query + " AND session_id IN %s", [event.pk, list(session_ids)])
    data = PublicSnapshot._meta.get_field("data")
    return {pk: data.from_db_value(value, None, connection) for pk, value in found}


@transaction.atomic(savepoint=False)  # part of the write it records
def record(
    event: Event,
    user=None,
    session_ids=None,
    *,
    kind: str = Release.Kind.LIVE,
    note: str = "",
    how: str = "",
    force: bool = False,
    locked: bool = False,
    written: list[Session] | None = None,
) -> Release | None:
    """Record what visitors now see differently as a new release (None if nothing did).

    ``session_ids`` limits the comparison to the sessions a write touched; ``locked``:
    the caller holds the event's lock already (``apply_changes`` took it); ``written``:
    the sessions ``apply_changes`` returned, which are all of ``session_ids``. Unpublished
    events record nothing: visitors see none of it, and publishing starts afresh.
    """
    if not event.is_published:
        return None
    if not locked:
        lock_event(event)
    top = sql.rows("SELECT MAX(number) FROM schedule_release WHERE event_id = %s", [event.pk])[0][0]
    first = top is None
    # A write visitors do not see (to a draft session) takes no first baseline.
    quiet = first and session_ids is not None and not (force or note)
    if quiet and not public_state(event, session_ids):
        return None
    if first:
        session_ids = None
    if written is not None and not first:
        now = written_state(event, written)
    else:
        now = public_state(event, session_ids)
    seen = _snapshots(event, session_ids)
    changes = []
    if not first:
        for pk in sorted(set(now) | set(seen)):
            found = describe(seen.get(pk), now.get(pk))
            if found:
                data = now.get(pk) or seen[pk]
                changes.append(
                    SessionChange(
                        session_id=pk,
                        kind=found[0],
                        facts=found[1],
                        title=data["title"],
                        slug=data["slug"] if pk in now else "",
                        before=seen.get(pk),
                        after=now.get(pk),
                    )
                )
        if not changes and not force:
            return None
    release = Release.objects.create(
        event=event,
        number=(top or 0) + 1,
        kind=Release.Kind.FIRST if first else kind,
        note=note,
        how=how,
        user=user if getattr(user, "pk", None) else None,
    )
    if changes:  # (the sessions' own saves have told the pages already)
        for change in changes:
            change.release = release
        SessionChange.objects.bulk_create(changes)
    else:  # a note alone, or the first schedule: pages, feeds and the API show it now
        Event.objects.filter(pk=event.pk).touch()
    stale = {c.session_id for c in changes} if not first else set(seen) | set(now)
    gone = [pk for pk in stale if pk not in now]
    if gone:
        PublicSnapshot.objects.filter(event=event, session_id__in=gone).delete()
    PublicSnapshot.objects.bulk_create(
        [PublicSnapshot(event=event, session_id=pk, data=now[pk]) for pk in stale if pk in now],
        update_conflicts=True,
        unique_fields=["session_id"],
        update_fields=["data"],
    )
    return release


def baseline(event: Event) -> None:
    """Take the first snapshot if there is none yet (before a draft, so that publishing
    it lists its changes instead of becoming the first schedule)."""
    if not Release.objects.filter(event=event).exists():
        record(event)


# Drafts --------------------------------------------------------------------------------


def draft_of(event: Event) -> ScheduleDraft | None:
    return ScheduleDraft.objects.filter(event=event).first()


def draft_values(draft: ScheduleDraft | None) -> dict[int, dict]:
    """Session id -> the values the draft gives it (and its ``edits`` count)."""
    if draft is None:
        return {}
    return {
        row["session_id"]: {
            "room_id": row["room_id"],
            "starts_at": row["starts_at"],
            "ends_at": row["ends_at"],
            "status": row["status"],
            "edits": row["edits"],
        }
        for row in DraftChange.objects.filter(draft=draft).values(
            "session_id", "room_id", "starts_at", "ends_at", "status", "edits"
        )
    }


@transaction.atomic
def start_draft(event: Event, user) -> ScheduleDraft:
    baseline(event)
    draft, _ = ScheduleDraft.objects.get_or_create(event=event, defaults={"started_by": user})
    return draft


def _changes(values: dict[int, dict]) -> list[Change]:
    keys = ("room_id", "starts_at", "ends_at", "status")
    return [Change(pk, {k: v[k] for k in keys}) for pk, v in values.items()]


def _judge(event: Event, user, values: dict[int, dict]) -> None:
    """Run the board's rules on the draft as a whole, then roll every row back."""
    point = transaction.savepoint()
    try:
        apply_changes(event, user, _changes(values), how="draft check")
    finally:
        transaction.savepoint_rollback(point)


@transaction.atomic
def draft_move(event: Event, user, change: Change) -> Session:
    """Keep a board move in the event's draft, judged against the rest of the draft."""
    lock_event(event)
    draft = ScheduleDraft.objects.filter(event=event).first()
    if draft is None:
        raise BoardError(_("This board is not in draft mode any more; reload the page."))
    values = draft_values(draft)
    session = Session.objects.select_related("event").filter(event=event, pk=change.session_id)
    session = session.first()
    if session is None:
        raise BoardError(_("That session is not one of this event's sessions."))
    mine = values.get(session.pk)
    if change.version is not None and change.version != session.version + (mine or {}).get(
        "edits", 0
    ):
        raise StaleChange(
            _(
                "“%(title)s” was changed by someone else since your board loaded it. "
                "Nothing was saved; look again."
            )
            % {"title": session.title},
            session,
        )
    base = mine or {
        "room_id": session.room_id,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "status": session.status,
        "edits": 0,
    }
    proposed = {**base, **change.values}
    values[session.pk] = proposed
    _judge(event, user, values)
    DraftChange.objects.update_or_create(
        draft=draft,
        session=session,
        defaults={
            "room_id": proposed["room_id"],
            "starts_at": proposed["starts_at"],
            "ends_at": proposed["ends_at"],
            "status": proposed["status"],
            "edits": base["edits"] + 1,
        },
    )
    draft.save(update_fields=["updated_at"])
    return session


@transaction.atomic
def publish(event: Event, user, note: str = "") -> Release | None:
    """Apply the draft through the board's write path and record it as one release."""
    lock_event(event)
    draft = ScheduleDraft.objects.filter(event=event).first()
    if draft is None:
        raise BoardError(_("There is no draft to publish."))
    values = draft_values(draft)
    apply_changes(event, user, _changes(values), how="published from the draft", name_sessions=True)
    draft.delete()
    return record(
        event, user, list(values), kind=Release.Kind.RELEASE, note=note, force=True, locked=True
    )


def discard(event: Event) -> int:
    """Throw the draft away; the public schedule never saw it."""
    return ScheduleDraft.objects.filter(event=event).delete()[0]


@transaction.atomic
def rollback(event: Event, user, release: Release) -> Release | None:
    """Put the placement and status of the sessions a release changed back to what they
    were before it, as a new release (titles and speakers stay as they are)."""
    lock_event(event)
    changes = list(release.changes.all())
    sessions = {
        s.pk: s for s in Session.objects.filter(event=event, pk__in=[c.session_id for c in changes])
    }
    undo = []
    for change in changes:
        if change.session_id not in sessions:
            continue
        before = change.before
        if before is None:  # new in that release: off the public schedule again
            values = {"status": Session.Status.DRAFT}
        else:
            starts = before["starts_at"]
            values = {
                "room_id": before["room"],
                "starts_at": dt.datetime.fromisoformat(starts) if starts else None,
                "ends_at": dt.datetime.fromisoformat(before["ends_at"]) if starts else None,
                "status": before["status"],
            }
        session = sessions[change.session_id]
        if any(getattr(session, key) != value for key, value in values.items()):
            undo.append(Change(change.session_id, values))
    if not undo:
        raise BoardError(
            _(
                "Nothing to roll back: the rooms, times and statuses that release changed "
                "are already as they were before it (titles and speakers are not rolled back)."
            )
        )
    apply_changes(
        event, user, undo, how=f"rollback of release {release.number}", name_sessions=True
    )
    new = record(
        event,
        user,
        [c.session_id for c in undo],
        kind=Release.Kind.ROLLBACK,
        force=True,
        locked=True,
    )
    if new is not None:  # told in each reader's language: no note in English
        new.undoes = release.number
        new.save(update_fields=["undoes"])
    return new


@transaction.atomic
def preview(event: Event, user, show=None):
    """What publishing the draft would change (a list of changes with their facts), and
    what ``show(changes)`` answers with the draft applied; inside a savepoint that is
    rolled back, so nothing of it stays."""
    lock_event(event)
    values = draft_values(draft_of(event))
    before = public_state(event)
    point = transaction.savepoint()
    try:
        apply_changes(event, user, _changes(values), how="preview", name_sessions=True)
        after = public_state(event)
        changes = []
        for pk in sorted(set(before) | set(after)):
            found = describe(before.get(pk), after.get(pk))
            if found:
                data = after.get(pk) or before[pk]
                slug = data["slug"] if pk in after else ""  # a link only where it is public
                changes.append(
                    {
                        "id": pk,
                        "title": data["title"],
                        "slug": slug,
                        "kind": found[0],
                        "facts": found[1],
                    }
                )
        shown = show(changes) if show is not None else None
    finally:
        transaction.savepoint_rollback(point)
    return changes, shown
