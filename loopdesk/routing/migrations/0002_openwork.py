"""Open work per owner and priority, kept by triggers on the ticket table (routing/open_work.py)."""

from django.db import migrations, models

from loopdesk.routing import open_work


def forwards(apps, schema_editor):
    statements = open_work.SQLITE if schema_editor.connection.vendor == "sqlite" else open_work.POSTGRES
    for sql in statements:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        open_work.rebuild(cursor)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in open_work.SQLITE_REVERSE if vendor == "sqlite" else open_work.POSTGRES_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial"), ("tickets", "0008_inbox_indexes")]

    operations = [
        migrations.CreateModel(
            name="OpenWork",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("owner_id", models.BigIntegerField()),
                ("priority_key", models.BigIntegerField()),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("owner_id", "priority_key"), name="uniq_open_work")],
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
