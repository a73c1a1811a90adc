"""Keeping the search index in step: one ticket after each write, many after a bulk load."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction

from loopdesk.core.bulk import foreign_keys_dropped, indexes_dropped
from loopdesk.search import documents, fts5_structure
from loopdesk.search.models import SearchDocument, SearchIdentifier
from loopdesk.search.query import tsvectors, window_lexeme
from loopdesk.tickets.models import Ticket

BATCH = 1000
# Processes that tokenise during a rebuild, each a batch ahead: two kept both cores busy (100,000 tickets on
# PostgreSQL: 59.5 s with one, 47.5 s with two; SQLite 20,000: 12 % faster); more only queue for the cores.
TOKENIZERS = max(1, min(2, os.cpu_count() or 1))


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


def _row(doc: documents.Document, vendor: str = "") -> tuple:
    if (vendor or connection.vendor) == "postgresql":
        # Both vectors carry the ticket's id window (see query.WINDOW_SHIFT), without a position.
        head, whole = tsvectors(doc.head, doc.body)
        window = window_lexeme(doc.ticket_id)
        return (doc.ticket_id, f"{head} {window}".lstrip(), f"{whole} {window}".lstrip(), doc.version)
    return (doc.ticket_id, " ".join(doc.head), " ".join(doc.body), doc.version)


DELETE_IDENTIFIERS_SQL = f"DELETE FROM {SearchIdentifier._meta.db_table} WHERE ticket_id = %s"
IDENTIFIER_SQL = f"INSERT INTO {SearchIdentifier._meta.db_table} (ticket_id, kind, value, tail) VALUES (%s, %s, %s, %s)"


def _identifier_rows(docs: list[documents.Document]) -> list[tuple]:
    """(ticket, kind, normalised value, its last four characters) of each identifier in these documents."""
    return [(d.ticket_id, kind, value, value[-4:]) for d in docs for kind, value in d.identifiers]


def _prepare(sources: list[documents.Source], vendor: str) -> tuple[list[tuple], list[tuple]]:
    """The rows to store for these tickets: documents (tsvector literals on PostgreSQL) and identifiers. Pure, so a
    forked process may run it; rows rather than Documents, whose token lists pickled back to the parent cost 92 ms
    a batch of 1,000 against 9 ms (3.0 → 1.7 MB)."""
    docs = documents.tokenize(sources)
    return [_row(d, vendor) for d in docs], _identifier_rows(docs)


def write(docs: list[documents.Document]) -> None:
    """Upsert these documents and replace their identifiers."""
    _store([_row(d) for d in docs], _identifier_rows(docs))


def _store(rows: list[tuple], identifiers: list[tuple], *, fresh: bool = False) -> None:
    """Upsert these document rows (`_row`) and replace their tickets' identifiers; `fresh`: the tickets have none
    yet (a rebuild)."""
    if not rows:
        return
    ids = [row[0] for row in rows]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:  # no savepoint in a writer's transaction
        if len(rows) == 1 and not fresh and connection.vendor == "postgresql":  # after a ticket write: one round trip
            cursor.execute(f"WITH gone AS ({DELETE_IDENTIFIERS_SQL}) {_upsert_sql()}", [ids[0], *rows[0]])
        else:
            cursor.executemany(_upsert_sql(), rows)
            if not fresh:
                SearchIdentifier.objects.filter(ticket_id__in=ids).delete()
        # Plain executemany: bulk_create's per-object SQL assembly cost more than the insert itself.
        if identifiers:
            cursor.executemany(IDENTIFIER_SQL, identifiers)


def index_tickets(ticket_ids: Iterable[int]) -> None:
    """Rebuild these tickets' documents now, in the caller's transaction."""
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), BATCH):
        write(documents.build(ids[start : start + BATCH]))


def reindex_customer(customer_id: int) -> None:
    """After a customer's name, company or phone changed."""
    index_tickets(Ticket.objects.filter(customer_id=customer_id).values_list("pk", flat=True))


FTS_INSERT_TRIGGER = "search_document_ai"  # SQLite: indexes each new document in search_fts (migration 0001)


def rebuild_search_index(
    *, progress: Callable[[int, int], None] | None = None, batch: int = BATCH, tokenizer_process: bool | None = None
) -> int:
    """Index every ticket (after a bulk load or an upgrade); returns the number of tickets indexed.

    Into a nearly empty index (under a tenth of the tickets, as after a bulk load): start from nothing, in one
    transaction, and make the index once at the end: the tables' indexes dropped and made again (on PostgreSQL
    GIN and B-tree), and on PostgreSQL the documents copied with COPY, the foreign keys dropped and added back and
    each batch's tickets joined to their customers, products and orders by key (`_joined_by_key`); on SQLite the
    FTS5 insert trigger dropped, FTS5 built from all the documents (`_build_fts`) and the trigger made again.
    Writers of tickets wait meanwhile (on SQLite, up to the lock's timeout). Otherwise batch by batch, each in
    its own transaction, replacing what is there. Tokenising runs in TOKENIZERS forked processes while this one
    reads and writes (`tokenizer_process`; by default from 10 batches)."""
    total = Ticket.objects.count()
    if tokenizer_process is None:
        tokenizer_process = total > 10 * batch
    # Nearly empty (after a bulk load: only what the write path indexed since): start from nothing, in bulk.
    bulk = SearchDocument.objects.count() * 10 < total
    copy = bulk and connection.vendor == "postgresql"
    with transaction.atomic() if bulk else contextlib.nullcontext():
        if bulk:
            SearchIdentifier.objects.all().delete()
            SearchDocument.objects.all().delete()
        fts_trigger = ""
        if bulk and connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                fts_trigger = _drop_fts_insert_trigger(cursor)
        sink = _copy if copy else (lambda rows, identifiers: _store(rows, identifiers, fresh=bulk))
        tables = (SearchDocument, SearchIdentifier)
        with (
            indexes_dropped(*tables) if bulk else contextlib.nullcontext(),
            foreign_keys_dropped(*tables) if copy else contextlib.nullcontext(),
            _joined_by_key() if copy else contextlib.nullcontext(),
        ):
            done = _each_batch(batch, total, progress, sink, tokenizer_process)
        if connection.vendor == "sqlite":  # one transaction (IMMEDIATE: the write lock from the start), so no
            # other writer adds a segment between settle_fts's read of the structure record and its write
            with transaction.atomic(), connection.cursor() as cursor:
                if fts_trigger:  # the documents are in: index them all at once, then index each write again
                    _build_fts(cursor)
                    cursor.execute(fts_trigger)
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
                settle_fts(cursor, done)
    return done


# Set for the reads of a rebuild into an empty index on PostgreSQL: see _joined_by_key.
BY_KEY = {"enable_hashjoin": "off", "enable_mergejoin": "off", "max_parallel_workers_per_gather": "0"}


@contextlib.contextmanager
def _joined_by_key() -> Iterator[None]:
    """PostgreSQL, in the rebuild's transaction: join each batch's tickets (a range of 1,000 ids) to their
    customers, products and orders by key, then plan as before (the index builds and key checks that follow).

    Left to itself the planner hashed every customer for each batch, in two parallel workers: at a million
    tickets 63-80 ms and three processes a batch (1,000 batches), against 39 ms in one by key. SET LOCAL: a
    failure rolls the settings back with the rest."""
    with connection.cursor() as cursor:
        for name, value in BY_KEY.items():  # our constants only
            cursor.execute(f"SET LOCAL {name} = {value}")
    yield
    with connection.cursor() as cursor:
        for name in BY_KEY:
            cursor.execute(f"SET LOCAL {name} TO DEFAULT")


# FTS5's 'hashsize' during a rebuild: the index it builds in memory before writing a segment. FTS5's default,
# 1 MB, wrote about a thousand segments for 100,000 tickets and merged them again and again; with 256 MB the
# rebuild took 3.8 s instead of 6.5-7.2 s (this process peaked at 120 MB).
FTS_BUILD_MEMORY = 256 * 1024 * 1024
FTS_DEFAULT_HASHSIZE = 1024 * 1024


def _build_fts(cursor) -> None:
    """SQLite: FTS5 builds its index from the stored documents with FTS_BUILD_MEMORY, then has its setting back."""
    cursor.execute("SELECT v FROM search_fts_config WHERE k = 'hashsize'")
    found = cursor.fetchone()
    cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', %s)", [FTS_BUILD_MEMORY])
    cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    before = int(found[0]) if found else FTS_DEFAULT_HASHSIZE
    cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', %s)", [before])


def settle_fts(cursor, documents_indexed: int) -> None:
    """SQLite, after 'optimize': move the index's one segment up to the level where the writes that follow reach
    it only once they hold about as many documents (fts5_structure), instead of merging it with the next 16
    writes. At 1,000,000 tickets the first few hundred creates after a load stalled for 12 s
    while FTS5 rewrote the built segment inside them. The record is rewritten in the caller's transaction."""
    table = "search_fts_data"
    cursor.execute(f"SELECT block FROM {table} WHERE id = %s", [fts5_structure.STRUCTURE_ROWID])  # noqa: S608
    found = cursor.fetchone()
    record = bytes(found[0]) if found and found[0] else b""  # raised() leaves an empty or unread record alone
    moved = fts5_structure.raised(record, fts5_structure.settled_level(documents_indexed))
    if moved is not None:
        cursor.execute(f"UPDATE {table} SET block = %s WHERE id = %s", [moved, fts5_structure.STRUCTURE_ROWID])  # noqa: S608


def _drop_fts_insert_trigger(cursor) -> str:
    """SQLite: drop the trigger that indexes each new document in FTS5; returns the statement that made it.

    FTS5 builds its index from the stored documents ('rebuild') three times faster than row by row from the
    trigger (20,000 documents: 1.7 s against 5.8 s). The caller's transaction holds the drop, the load, the
    rebuild and the trigger made again: a failure anywhere leaves the trigger as it was."""
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [FTS_INSERT_TRIGGER])
    row = cursor.fetchone()
    if row is None:
        return ""
    cursor.execute(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
    return row[0]


def _each_batch(
    batch: int, total: int, progress, sink: Callable[[list[tuple], list[tuple]], None], in_process: bool
) -> int:
    """Read batch k+TOKENIZERS and write batch k here while forked processes tokenise (a child never touches the
    database: it gets text and returns rows, and leaves with os._exit, so the inherited connection is unused)."""
    width = TOKENIZERS
    pool = multiprocessing.get_context("fork").Pool(width) if in_process else None
    done = last = 0
    pending: list = []
    try:
        while True:
            ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            if ids:
                sources = documents.read(range(ids[0], ids[-1] + 1))  # every id between: see documents._among
                last = ids[-1]
                vendor = connection.vendor
                pending.append(pool.apply_async(_prepare, (sources, vendor)) if pool else _prepare(sources, vendor))
            if pending and (len(pending) > width or not ids):
                first = pending.pop(0)
                rows, identifiers = first.get() if pool else first
                sink(rows, identifiers)
                done += len(rows)
                if progress:
                    progress(done, total)
            if not ids and not pending:
                return done
    finally:
        if pool:
            pool.terminate()
            pool.join()


def _copy(rows: list[tuple], identifiers: list[tuple]) -> None:
    """PostgreSQL, empty index: COPY the documents and identifiers (no conflicts to resolve)."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        columns = "ticket_id, head, body, head_vector, doc_vector, indexed_version"
        with raw.copy(f"COPY search_document ({columns}) FROM STDIN") as copy:
            for ticket_id, head_vector, doc_vector, version in rows:
                copy.write_row((ticket_id, "", "", head_vector, doc_vector, version))
        with raw.copy(f"COPY {SearchIdentifier._meta.db_table} (ticket_id, kind, value, tail) FROM STDIN") as copy:
            for row in identifiers:
                copy.write_row(row)


def is_current(ticket: Ticket) -> bool:
    return SearchDocument.objects.filter(ticket=ticket, indexed_version=ticket.version).exists()
