from django.db import migrations

from loopdesk.core.append_only import make_append_only
from loopdesk.tickets.presets import CATEGORY_PRESETS, DEFAULT_CATEGORY_PRESET, PRIORITIES


def load_defaults(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    Priority = apps.get_model("tickets", "Priority")
    if not Category.objects.exists():
        for order, (code, name, name_en) in enumerate(CATEGORY_PRESETS[DEFAULT_CATEGORY_PRESET]):
            Category.objects.create(code=code, name=name, name_en=name_en, preset=DEFAULT_CATEGORY_PRESET,
                                    sort_order=order)
    if not Priority.objects.exists():
        for code, name, name_en, rank in PRIORITIES:
            Priority.objects.create(code=code, name=name, name_en=name_en, rank=rank)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [
        make_append_only("tickets_ticketevent"),
        migrations.RunPython(load_defaults, migrations.RunPython.noop),
    ]
