import django.db.models.deletion
from django.db import migrations, models

import loopdesk.search.models

SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(head, body, content='search_document',
       content_rowid='ticket_id', tokenize='ascii')""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
       INSERT INTO search_fts(rowid, head, body) VALUES (new.ticket_id, new.head, new.body); END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
       INSERT INTO search_fts(search_fts, rowid, head, body) VALUES ('delete', old.ticket_id, old.head, old.body); END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
       INSERT INTO search_fts(search_fts, rowid, head, body) VALUES ('delete', old.ticket_id, old.head, old.body);
       INSERT INTO search_fts(rowid, head, body) VALUES (new.ticket_id, new.head, new.body); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES = [
    "CREATE INDEX search_document_head_gin ON search_document USING gin (head_vector)",
    "CREATE INDEX search_document_doc_gin ON search_document USING gin (doc_vector)",
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS search_document_doc_gin", "DROP INDEX IF EXISTS search_document_head_gin"]


def forwards(apps, schema_editor):
    statements = SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRES
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else POSTGRES_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("tickets", "0007_suggestion_decided_event")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="tickets.ticket",
                    ),
                ),
                ("head", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                ("head_vector", loopdesk.search.models.TsVectorField(null=True)),
                ("doc_vector", loopdesk.search.models.TsVectorField(null=True)),
                ("indexed_version", models.PositiveIntegerField(default=0)),
            ],
            options={"db_table": "search_document"},
        ),
        migrations.CreateModel(
            name="SearchIdentifier",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("phone", "Phone"), ("order", "Order"), ("contract", "Contract"), ("serial", "Serial")],
                        max_length=8,
                    ),
                ),
                ("value", models.CharField(max_length=64)),
                ("tail", models.CharField(max_length=4)),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tickets.ticket"
                    ),
                ),
            ],
            options={
                "db_table": "search_identifier",
                "indexes": [
                    models.Index(fields=["value", "ticket"], name="search_ident_value"),
                    models.Index(fields=["tail", "ticket"], name="search_ident_tail"),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
