"""The search index: one document per ticket and its normalised identifiers (phones, order and serial numbers).

On SQLite the document's tokens are the external content of the FTS5 table `search_fts` (kept in step by
triggers, see the migration); on PostgreSQL the same tokens are stored as tsvectors with GIN indexes."""

from __future__ import annotations

from django.db import models

from loopdesk.tickets.models import Ticket


class TsVectorField(models.Field):
    """tsvector on PostgreSQL; elsewhere an unused text column."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchDocument(models.Model):
    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    head = models.TextField(blank=True)  # SQLite: tokens of the number, title, customer, product, identifiers, tags
    body = models.TextField(blank=True)  # SQLite: tokens of the description, work record and timeline
    head_vector = TsVectorField(null=True)  # PostgreSQL: the head tokens
    doc_vector = TsVectorField(null=True)  # PostgreSQL: head and body tokens
    indexed_version = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "search_document"


class SearchIdentifier(models.Model):
    """A normalised identifier of a ticket's customer, asset or order; found by exact value or its last 4 characters."""

    class Kind(models.TextChoices):
        PHONE = "phone"
        ORDER = "order"
        CONTRACT = "contract"
        SERIAL = "serial"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=64)
    tail = models.CharField(max_length=4)

    class Meta:
        db_table = "search_identifier"
        indexes = [
            models.Index(fields=["value", "ticket"], name="search_ident_value"),
            models.Index(fields=["tail", "ticket"], name="search_ident_tail"),
        ]
