"""Every published event gets the baseline its changelog starts from (issue 15).

Since this migration, an event's schedule is recorded as its first release when it is
published, so that its first change is listed. Events published before have no release
yet, so their first change would only have taken that baseline; they get it here (a
``first`` release marked ``how="baseline"``, which the public changelog does not show as
a publication: it was not one). Same snapshot as ``releases.public_state`` writes.
"""

from django.db import migrations
from django.db.models import Max

PUBLIC = ("published", "cancelled")


def take_baselines(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Release = apps.get_model("schedule", "Release")
    Session = apps.get_model("schedule", "Session")
    SessionSpeaker = apps.get_model("schedule", "SessionSpeaker")
    PublicSnapshot = apps.get_model("schedule", "PublicSnapshot")
    for event in Event.objects.filter(is_published=True, releases__isnull=True):
        sessions = Session.objects.filter(event=event, status__in=PUBLIC)
        state = {
            row["id"]: {
                "title": row["title"],
                "slug": row["slug"],
                "status": row["status"],
                "room": row["room_id"],
                "room_name": row["room__name"] or "",
                "starts_at": row["starts_at"].isoformat() if row["starts_at"] else None,
                "ends_at": row["ends_at"].isoformat() if row["ends_at"] else None,
                "speakers": [],
            }
            for row in sessions.values(
                "id", "title", "slug", "status", "room_id", "room__name", "starts_at", "ends_at"
            )
        }
        links = (
            SessionSpeaker.objects.filter(session__in=sessions.values("pk"))
            .order_by("session_id", "position", "speaker__name")
            .values_list("session_id", "speaker_id", "speaker__name")
        )
        for session_id, speaker_id, name in links:
            state[session_id]["speakers"].append([speaker_id, name])
        top = Release.objects.filter(event=event).aggregate(n=Max("number"))["n"] or 0
        Release.objects.create(event=event, number=top + 1, kind="first", how="baseline")
        PublicSnapshot.objects.filter(session_id__in=list(state)).delete()
        PublicSnapshot.objects.bulk_create(
            [PublicSnapshot(event=event, session_id=pk, data=data) for pk, data in state.items()],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [("schedule", "0011_sessionchange_facts")]

    operations = [migrations.RunPython(take_baselines, migrations.RunPython.noop)]
