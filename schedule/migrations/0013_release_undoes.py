"""A rollback names the release it undid (``Release.undoes``), told in each reader's
language, instead of a note written in English ("Rolled back release 2"), which stored
rollbacks give up here."""

import re

from django.db import migrations, models

NOTE = re.compile(r"^Rolled back release (\d+)$")


def notes_to_numbers(apps, schema_editor):
    Release = apps.get_model("schedule", "Release")
    for release in Release.objects.filter(kind="rollback", note__startswith="Rolled back"):
        found = NOTE.match(release.note)
        if found:
            release.undoes, release.note = int(found.group(1)), ""
            release.save(update_fields=["undoes", "note"])


def numbers_to_notes(apps, schema_editor):
    Release = apps.get_model("schedule", "Release")
    for release in Release.objects.filter(undoes__isnull=False, note=""):
        release.note = f"Rolled back release {release.undoes}"
        release.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("schedule", "0012_release_baselines")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="undoes",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(notes_to_numbers, numbers_to_notes),
    ]
