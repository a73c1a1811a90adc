"""PostgreSQL: every search document also holds the lexeme of its ticket's id window (see query.WINDOW_SHIFT).

The values are written out here, not imported, so this migration keeps meaning what it meant when it ran."""

from django.db import migrations

PREFIX, SHIFT = "~w", 12


def add_windows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    window = f"array_to_tsvector(ARRAY['{PREFIX}' || (ticket_id >> {SHIFT})::text])"
    schema_editor.execute(
        f"UPDATE search_document SET head_vector = coalesce(head_vector, ''::tsvector) || {window}, "
        f"doc_vector = coalesce(doc_vector, ''::tsvector) || {window}"
    )


def remove_windows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    window = f"'{PREFIX}' || (ticket_id >> {SHIFT})::text"
    schema_editor.execute(
        f"UPDATE search_document SET head_vector = ts_delete(head_vector, {window}), "
        f"doc_vector = ts_delete(doc_vector, {window})"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(add_windows, remove_windows, elidable=False)]
