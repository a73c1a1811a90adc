"""PostgreSQL: one sequence per number prefix, and each day's base beside its counter (see DailyCounter)."""

from django.db import migrations, models

PREFIXES = ("P", "C")


def create_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for prefix in PREFIXES:
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS core_public_number_{prefix.lower()}")


def drop_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for prefix in PREFIXES:
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS core_public_number_{prefix.lower()}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_ratehit")]

    operations = [
        migrations.AddField(
            model_name="dailycounter",
            name="base",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(create_sequences, drop_sequences, elidable=False),
    ]
