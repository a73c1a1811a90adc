"""PostgreSQL: every search document also holds the lexeme of its ticket's id window (see query.WINDOW_SHIFT).

The values are written out here, not imported, so this migration keeps meaning what it meant when it ran."""

from django.db import migrations

PREFIX, SHIFT = "~w", 12
WINDOW = f"'{PREFIX}' || (ticket_id >> {SHIFT})::text"


def _update(schema_editor, change: str) -> None:
    """Both vectors of every document changed by `change` (SQL with {vector} and {window} in it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    head, doc = (change.format(vector=v, window=WINDOW) for v in ("head_vector", "doc_vector"))
    schema_editor.execute(f"UPDATE search_document SET head_vector = {head}, doc_vector = {doc}")


def add_windows(apps, schema_editor):
    _update(schema_editor, "coalesce({vector}, ''::tsvector) || array_to_tsvector(ARRAY[{window}])")


def remove_windows(apps, schema_editor):
    _update(schema_editor, "ts_delete({vector}, {window})")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(add_windows, remove_windows, elidable=False)]
