from django.db import migrations, models


def fill_abstract_text(apps, schema_editor):
    from lib.markup import plain_text

    Session = apps.get_model("schedule", "Session")
    changed = []
    for session in Session.objects.only("pk", "abstract_html").iterator(chunk_size=500):
        session.abstract_text = plain_text(session.abstract_html)
        changed.append(session)
    Session.objects.bulk_update(changed, ["abstract_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0008_pending_import"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="abstract_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="The abstract's words, for excerpts and calendars.",
            ),
        ),
        migrations.RunPython(fill_abstract_text, migrations.RunPython.noop),
    ]
