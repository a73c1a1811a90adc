"""SQLite: the segment a rebuild makes is not rewritten by the writes that follow it (services.settle_fts)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from loopdesk.customers.services import register_customer
from loopdesk.search.fts5_structure import STRUCTURE_ROWID, Structure, parse, settled_level
from loopdesk.search.models import SearchDocument, SearchIdentifier
from loopdesk.search.selectors import SearchFilters, search
from loopdesk.search.services import rebuild_search_index
from loopdesk.tickets import services

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's"),
]


def structure() -> Structure:
    with connection.cursor() as cursor:
        cursor.execute("SELECT block FROM search_fts_data WHERE id = %s", [STRUCTURE_ROWID])
        return parse(bytes(cursor.fetchone()[0]))


def placed(s: Structure) -> list[tuple[int, tuple[int, int, int]]]:
    """(level, (segment id, first page, last page)) of every segment."""
    return [
        (i, (seg.segment_id, seg.first_page, seg.last_page))
        for i, level in enumerate(s.levels)
        for seg in level.segments
    ]


def open_one(agent, customer, title: str, description: str):
    with transaction.atomic():  # a savepoint: FTS5 writes what it holds as a segment of its own, as a commit does
        return services.open_ticket(
            actor=agent, channel="phone", title=title, description=description, customer=customer
        )


def hits(user, text: str) -> int:
    return len(search(user, text, SearchFilters(), limit=100).hits)


def test_the_built_segment_waits_on_its_level_while_the_writes_merge_below_it(agent, supervisor):
    customer = register_customer(name="王五", phone="13900001111")
    long = "，".join(f"第{n}次洗衣机排水泵异响不脱水显示E{n:02d}" for n in range(40))  # pages of its own
    for i in range(20):
        open_one(agent, customer, f"排水泵异响 {i}", f"{long} {i}")
    SearchIdentifier.objects.all().delete()
    SearchDocument.objects.all().delete()
    assert rebuild_search_index() == 20  # into an empty index: FTS5 built at once, then 'optimize'
    ((level, built),) = placed(structure())
    assert level == settled_level(20) == 3 and built[2] - built[1] >= 2  # FTS5 moves a segment down to a new one
    # as large or larger: this one is not
    for i in range(40):  # enough for FTS5 to merge level 0 twice over (16 segments make a crisis merge)
        open_one(agent, customer, f"压缩机 {i}", "制冷效果差")
    after = placed(structure())
    assert (3, built) in after  # the same pages: not rewritten
    assert max(lv for lv, _ in after if (lv, _) != (3, built)) < 3 and len(after) > 2  # the writes stay below
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
    assert hits(supervisor, "排水泵") == 20 and hits(supervisor, "压缩机") == 40
