"""Keeping the search index in step: one ticket after each write, many after a bulk load."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from loopdesk.search import documents
from loopdesk.search.models import SearchDocument, SearchIdentifier
from loopdesk.search.query import tsvector
from loopdesk.tickets.models import Ticket

BATCH = 1000


def _upsert_sql() -> str:
    if connection.vendor == "postgresql":
        values = "(%s, '', '', %s::tsvector, %s::tsvector, %s)"
    else:
        values = "(%s, %s, %s, NULL, NULL, %s)"
    return (
        "INSERT INTO search_document (ticket_id, head, body, head_vector, doc_vector, indexed_version) "
        f"VALUES {values} ON CONFLICT (ticket_id) DO UPDATE SET head = excluded.head, body = excluded.body, "
        "head_vector = excluded.head_vector, doc_vector = excluded.doc_vector, "
        "indexed_version = excluded.indexed_version"
    )


def _row(doc: documents.Document) -> tuple:
    if connection.vendor == "postgresql":
        # The body starts two positions after the head so no phrase spans the two, as in FTS5's two columns.
        whole = tsvector(doc.head) + " " + tsvector(doc.body, start=len(doc.head) + 2)
        return (doc.ticket_id, tsvector(doc.head), whole.strip(), doc.version)
    return (doc.ticket_id, " ".join(doc.head), " ".join(doc.body), doc.version)


IDENTIFIER_SQL = f"INSERT INTO {SearchIdentifier._meta.db_table} (ticket_id, kind, value, tail) VALUES (%s, %s, %s, %s)"


def write(docs: list[documents.Document], *, fresh: bool = False) -> None:
    """Upsert these documents and replace their identifiers; `fresh`: the tickets have none yet (a rebuild)."""
    if not docs:
        return
    ids = [d.ticket_id for d in docs]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), [_row(d) for d in docs])
        if not fresh:
            SearchIdentifier.objects.filter(ticket_id__in=ids).delete()
        # Plain executemany: bulk_create's per-object SQL assembly cost more than the insert itself.
        rows = [(d.ticket_id, kind, value, value[-4:]) for d in docs for kind, value in d.identifiers]
        if rows:
            cursor.executemany(IDENTIFIER_SQL, rows)


def index_tickets(ticket_ids: Iterable[int]) -> None:
    """Rebuild these tickets' documents now, in the caller's transaction."""
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), BATCH):
        write(documents.build(ids[start : start + BATCH]))


def reindex_customer(customer_id: int) -> None:
    """After a customer's name, company or phone changed."""
    index_tickets(Ticket.objects.filter(customer_id=customer_id).values_list("pk", flat=True))


def rebuild_search_index(*, progress: Callable[[int, int], None] | None = None, batch: int = BATCH) -> int:
    """Index every ticket (after a bulk load or an upgrade); returns the number of tickets indexed."""
    total = Ticket.objects.count()
    fresh = not SearchIdentifier.objects.exists()
    done = 0
    last = 0
    while True:
        ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        write(documents.build(ids), fresh=fresh)
        last = ids[-1]
        done += len(ids)
        if progress:
            progress(done, total)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return done


def is_current(ticket: Ticket) -> bool:
    return SearchDocument.objects.filter(ticket=ticket, indexed_version=ticket.version).exists()
