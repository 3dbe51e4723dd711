"""Changes are kept as facts, told in words in each reader's language (issue 15).

The facts of each stored change are worked out again from its two snapshots (``before``
and ``after``, kept since the first release), with the rules of ``change_facts.describe``
as they were when this migration was written. A change whose snapshots tell nothing
keeps its stored sentence as a fact of its own (``text``): no history is lost.
"""

from django.db import migrations, models


def _facts(before, after):
    if before is None and after is None:
        return []
    if before is None:
        return [{"kind": "new", "start": after["starts_at"], "room": after["room_name"]}]
    if after is None:
        return [{"kind": "removed"}]
    facts = []
    if before["status"] != after["status"]:
        facts.append({"kind": "cancelled" if after["status"] == "cancelled" else "restored"})
    if (before["room"], before["starts_at"]) != (after["room"], after["starts_at"]):
        facts.append(
            {
                "kind": "moved",
                "start": after["starts_at"],
                "room": after["room_name"],
                "was_start": before["starts_at"],
                "was_room": before["room_name"],
            }
        )
    elif before["ends_at"] != after["ends_at"] and after["ends_at"] and before["ends_at"]:
        facts.append({"kind": "resized", "ends": after["ends_at"], "was_ends": before["ends_at"]})
    if before["title"] != after["title"]:
        facts.append({"kind": "retitled", "title": after["title"], "was_title": before["title"]})
    had, has = dict(before["speakers"]), dict(after["speakers"])
    added = [name for pk, name in after["speakers"] if pk not in had]
    removed = [name for pk, name in before["speakers"] if pk not in has]
    if added or removed:
        facts.append({"kind": "speakers", "added": added, "removed": removed})
    return facts


def to_facts(apps, schema_editor):
    SessionChange = apps.get_model("schedule", "SessionChange")
    changed = []
    for change in SessionChange.objects.only("pk", "words", "before", "after").iterator():
        try:
            facts = _facts(change.before, change.after)
        except (KeyError, TypeError, ValueError):
            facts = []
        change.facts = facts or [{"kind": "text", "text": change.words}]
        changed.append(change)
    SessionChange.objects.bulk_update(changed, ["facts"], batch_size=500)


def to_words(apps, schema_editor):
    """Back: the stored sentences come back in English, as they were written."""
    import zoneinfo

    from django.utils import translation

    from schedule.change_facts import sentence

    SessionChange = apps.get_model("schedule", "SessionChange")
    changed = []
    for change in SessionChange.objects.select_related("release__event").iterator():
        with translation.override("en"):
            zone = zoneinfo.ZoneInfo(change.release.event.timezone)
            change.words = sentence(change.facts, zone)
        changed.append(change)
    SessionChange.objects.bulk_update(changed, ["words"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("schedule", "0010_releases")]

    operations = [
        migrations.AddField(
            model_name="sessionchange",
            name="facts",
            field=models.JSONField(default=list),
        ),
        migrations.AlterField(
            model_name="sessionchange",
            name="words",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(to_facts, to_words),
        migrations.RemoveField(model_name="sessionchange", name="words"),
    ]
