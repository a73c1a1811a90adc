"""Search through the real write paths on the real database (SQLite FTS5 or PostgreSQL tsvector, per CI leg)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loopdesk.accounts.models import ApiToken, Department
from loopdesk.customers.services import register_customer, update_customer
from loopdesk.search.models import SearchDocument, SearchIdentifier
from loopdesk.search.selectors import SearchFilters, search
from loopdesk.search.services import BY_KEY, FTS_DEFAULT_HASHSIZE, rebuild_search_index
from loopdesk.testing.factories import AssetFactory, OrderFactory
from loopdesk.testing.schema import foreign_key_definitions, index_definitions
from loopdesk.tickets import services

pytestmark = pytest.mark.django_db


def open_(agent, title, description="客户来电反馈问题", customer=None, **kwargs):
    customer = customer or register_customer(name="王五", phone="13900001111")
    return services.open_ticket(
        actor=agent, channel="phone", title=title, description=description, customer=customer, **kwargs
    )


def numbers(user, text, **filters):
    return [hit.ticket.number for hit in search(user, text, SearchFilters(**filters), limit=100).hits]


def test_finds_chinese_inside_a_sentence_and_two_character_words(agent, supervisor):
    pump = open_(agent, "洗衣机故障", "用户反映洗衣机的排水泵一直响，不脱水")
    pay = open_(agent, "订单问题", "支付成功但是物流一直没有更新，要求退款")
    other = open_(agent, "咨询", "询问保修期")
    assert numbers(supervisor, "排水泵") == [pump.number]
    assert numbers(supervisor, "支付") == [pay.number]
    assert numbers(supervisor, "物流 退款") == [pay.number]
    assert numbers(supervisor, "保修") == [other.number]
    assert numbers(supervisor, "水泵") == [pump.number]  # a substring of a longer word is found too


def test_precision_a_phrase_does_not_match_characters_apart(agent, supervisor):
    open_(agent, "描述", "洗衣机不脱，脱水也慢")
    near = open_(agent, "描述", "洗衣机完全不脱水")
    assert numbers(supervisor, "不脱水") == [near.number]


def test_mixed_model_number_and_chinese_and_english_prefix(agent, supervisor, customer):
    asset = AssetFactory(customer=customer, product_name="滚筒洗衣机", model="XQG100-14")
    washer = open_(agent, "不脱水", "洗衣机转不起来", customer=customer, asset=asset)
    open_(agent, "不脱水", "另一台洗衣机")
    english = open_(agent, "Billing", "The bank refunded twice and the statement shows overdraft fees")
    assert numbers(supervisor, "XQG100-14 不脱水") == [washer.number]
    assert numbers(supervisor, "ｘｑｇ100-14") == [washer.number]
    assert numbers(supervisor, "refund overdraft") == [english.number]
    assert numbers(supervisor, "REFUNDED") == [english.number]


def test_replies_and_notes_are_found_in_the_same_transaction(agent, supervisor):
    ticket = open_(agent, "门锁", "门锁打不开")
    services.add_reply(ticket, body="已安排工程师上门更换电机模组", actor=agent, is_public=True)
    services.add_reply(ticket, body="内部备注：批次缺陷 LOT2024", actor=agent, is_public=False)
    assert numbers(supervisor, "电机模组") == [ticket.number]
    assert numbers(supervisor, "lot2024") == [ticket.number]
    ticket.refresh_from_db()
    assert SearchDocument.objects.get(ticket=ticket).indexed_version == ticket.version


def test_phone_and_order_numbers_by_exact_value_and_last_four(agent, supervisor, customer):
    order = OrderFactory(customer=customer, order_no="SO-2024-0315-8821")
    ticket = open_(agent, "退货", "要求退货", customer=customer, order=order)
    open_(agent, "退货", "要求退货")  # another customer, phone 13900001111
    assert numbers(supervisor, "13812345678") == [ticket.number]
    assert numbers(supervisor, "138 1234 5678") == [ticket.number]
    assert numbers(supervisor, "5678") == [ticket.number]
    assert numbers(supervisor, "SO2024-0315-8821") == [ticket.number]
    assert numbers(supervisor, "8821") == [ticket.number]
    hit = search(supervisor, "5678").hits[0]
    assert hit.tier == 0
    assert SearchIdentifier.objects.filter(ticket=ticket, kind="phone", tail="5678").exists()


def test_identifier_hits_rank_first_then_title_then_text_newest_first(agent, supervisor, customer):
    in_text_old = open_(agent, "其他", "提到 5678 号码")
    in_title = open_(agent, "编号5678的故障", "描述")
    in_text_new = open_(agent, "其他", "也提到 5678")
    phone = open_(agent, "咨询", "无关", customer=customer)  # 13812345678
    assert numbers(supervisor, "5678") == [phone.number, in_title.number, in_text_new.number, in_text_old.number]


def test_a_user_never_finds_what_they_may_not_see(agent, engineer, supervisor):
    support = Department.objects.get(code="support")
    other = Department.objects.exclude(pk=support.pk).first()
    mine = open_(agent, "排水泵", "排水泵")
    theirs = open_(agent, "排水泵", "排水泵")
    services.Ticket.objects.filter(pk=mine.pk).update(owner_department=support)
    services.Ticket.objects.filter(pk=theirs.pk).update(owner_department=other, owner=None)
    assert set(numbers(supervisor, "排水泵")) == {mine.number, theirs.number}
    assert numbers(engineer, "排水泵") == [mine.number]
    assert search(engineer, "排水泵").count == 1


def test_filters_combine_with_the_text(agent, supervisor):
    old = open_(agent, "物流", "物流慢", received_at=timezone.now() - dt.timedelta(days=40), priority="P1")
    new = open_(agent, "物流", "物流慢", priority="P3")
    today = timezone.localdate()
    assert numbers(supervisor, "物流", received_from=today - dt.timedelta(days=7)) == [new.number]
    assert numbers(supervisor, "物流", received_to=today - dt.timedelta(days=30)) == [old.number]
    assert numbers(supervisor, "物流", priority="P1") == [old.number]
    assert numbers(supervisor, "物流", status="closed") == []


def test_keyset_pages_cover_every_hit_once(agent, supervisor):
    made = [open_(agent, f"支付失败{i}", "支付时报错" if i % 2 else "其他").number for i in range(13)]
    seen, cursor = [], ""
    while True:
        page = search(supervisor, "支付", cursor=cursor, limit=4)
        seen += [h.ticket.number for h in page.hits]
        assert page.count == 13
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(made) and len(seen) == 13


def test_matches_are_read_newest_first_from_the_index_without_a_sort(agent, supervisor):
    """A page must not collect and sort every match: at a million tickets 支付 matches tens of thousands."""
    for i in range(3):
        open_(agent, f"支付失败{i}", "支付时报错")
    with CaptureQueriesContext(connection) as ctx:
        page = search(supervisor, "支付", limit=2)
        search(supervisor, "支付", cursor=page.next_cursor, limit=2)
    matching = [q["sql"] for q in ctx.captured_queries if "search_" in q["sql"] and "LIMIT" in q["sql"]]
    assert len(matching) >= 3  # page 1, page 2 and the count
    with connection.cursor() as cursor:
        for sql in matching:
            if connection.vendor == "sqlite":
                plan = " | ".join(row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
                assert "TEMP B-TREE" not in plan, plan
            else:
                assert "COUNT(*)" in sql or "search_document.ticket_id) DESC" in sql.replace('"', ""), sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="id windows are PostgreSQL's (FTS5 walks rowids)")
def test_id_windows_give_the_same_pages_as_one_query(agent, supervisor, monkeypatch):
    """Windows of two ids, one asked first: pages cross windows, tiers and the remainder query, in rank order."""
    from loopdesk.search import query, selectors

    monkeypatch.setattr(query, "WINDOW_SHIFT", 1)
    monkeypatch.setattr(selectors, "WINDOWS_FIRST", 1)
    made = []
    for i in range(9):  # the head (tier 1) for every third, the description (tier 2) for the others
        made.append(open_(agent, "支付失败" if i % 3 == 0 else f"其他{i}", "支付时报错" if i % 3 else "无关"))
    open_(agent, "无关", "无关")
    expected = [t.number for t in reversed(made) if t.title == "支付失败"]
    expected += [t.number for t in reversed(made) if t.title != "支付失败"]
    seen, cursor, statements = [], "", []
    with CaptureQueriesContext(connection) as ctx:
        while True:
            page = search(supervisor, "支付", cursor=cursor, limit=2)
            seen += [h.ticket.number for h in page.hits]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
    assert seen == expected
    statements = [q["sql"] for q in ctx.captured_queries if "::tsquery" in q["sql"] and "COUNT" not in q["sql"]]
    assert any("~w" in sql for sql in statements)  # the newest windows first
    assert any("~w" not in sql and "ticket_id <" in sql.replace('"', "") for sql in statements)  # then the rest
    with connection.cursor() as cur:  # every stored vector names its ticket's window
        cur.execute(
            "SELECT count(*) FROM search_document WHERE NOT (doc_vector @@ ('~w' || (ticket_id >> 1))::tsquery"
            " AND head_vector @@ ('~w' || (ticket_id >> 1))::tsquery)"
        )
        assert cur.fetchone()[0] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_search_statements_are_planned_for_their_terms_every_time(agent, supervisor):
    """A generic plan of a prepared statement cannot know how many tickets a tsquery matches: the matching and
    counting statements stay unprepared however often they run, and the connection prepares others again after."""
    open_(agent, "支付失败", "支付时报错")
    for _ in range(12):
        assert numbers(supervisor, "支付")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert not [sql for sql in prepared if "tsquery" in sql]
    assert connection.connection.prepare_threshold == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="id windows are PostgreSQL's")
def test_the_migration_adds_each_documents_window_as_the_write_path_does(agent):
    import importlib

    migration = importlib.import_module("loopdesk.search.migrations.0002_id_windows")
    for i in range(3):
        open_(agent, f"排水泵{i}", "排水泵坏了")
    written = list(SearchDocument.objects.order_by("pk").values_list("pk", "head_vector", "doc_vector"))
    migration.remove_windows(None, connection.schema_editor())
    assert all("~w" not in d for _, _, d in SearchDocument.objects.values_list("pk", "head_vector", "doc_vector"))
    migration.add_windows(None, connection.schema_editor())
    assert list(SearchDocument.objects.order_by("pk").values_list("pk", "head_vector", "doc_vector")) == written


def test_the_inbox_filter_uses_the_index_for_text_replies_and_phone_suffixes(client, agent, supervisor, customer):
    ticket = open_(agent, "洗衣机故障", "客户来电", customer=customer)
    services.add_reply(ticket, body="拆机发现排水泵堵塞", actor=agent, is_public=False)
    open_(agent, "空调不制冷", "其他问题")
    _, raw = ApiToken.issue(supervisor, "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    found = lambda q: [t["number"] for t in client.get("/api/v1/tickets", {"q": q}, **auth).json()["items"]]  # noqa: E731
    assert found("排水泵") == [ticket.number]  # only in a note: the old LIKE on title/description missed it
    assert found(customer.phone[-4:]) == [ticket.number]
    assert found("不制冷") != [] and ticket.number not in found("不制冷")


def test_one_ticket_is_read_with_cached_statements_exactly_as_many_are(agent, customer):
    from loopdesk.search import documents

    asset = AssetFactory(customer=customer, model="XQG100-14", serial_no="SN-778899")
    order = OrderFactory(customer=customer, order_no="SO-2024/0315")
    ticket = open_(agent, "洗衣机不脱水", "显示 E21", customer=customer, asset=asset, order=order, tags=["保修"])
    services.add_reply(ticket, body="已安排上门", actor=agent, is_public=True)
    other = open_(agent, "另一张", "别的问题")
    one = documents.read([ticket.pk])
    many = {src.ticket_id: src for src in documents.read([ticket.pk, other.pk])}
    assert one == [many[ticket.pk]]
    # a rebuild reads every ticket in a range of ids, as the list of them would
    assert documents.read(range(ticket.pk, other.pk + 1)) == documents.read([ticket.pk, other.pk])
    assert documents.read(range(ticket.pk, other.pk)) == one and documents.read(range(other.pk + 1, other.pk + 9)) == []
    assert "XQG100-14" in one[0].head and "保修" in one[0].head and "已安排上门" in one[0].body
    assert ("serial", "SN778899") in one[0].identifiers and ("order", "SO20240315") in one[0].identifiers


def test_renaming_a_customer_reindexes_their_tickets(agent, supervisor, customer):
    ticket = open_(agent, "咨询", "咨询", customer=customer)
    update_customer(customer, name="赵六", company="远大重工")
    assert numbers(supervisor, "远大重工") == [ticket.number]


@pytest.mark.parametrize("empty", [True, False], ids=["into an empty index", "over the current index"])
def test_rebuild_gives_the_same_results_as_the_write_path(agent, supervisor, customer, empty):
    for text in ("排水泵坏了", "支付失败 refund", "XQG100-14 不脱水"):
        open_(agent, "标题", text, customer=customer)
    queries = ["排水泵", "支付", "refund", "XQG100-14", "不脱水", customer.phone[-4:]]
    before = {q: numbers(supervisor, q) for q in queries}
    keys_before, triggers_before, indexes_before = foreign_keys(), triggers(), indexes()
    if empty:
        SearchDocument.objects.all().delete()
        SearchIdentifier.objects.all().delete()
        assert numbers(supervisor, "排水泵") == [] and numbers(supervisor, customer.phone[-4:]) == []
    # into an empty index: batches of one, tokenised in a forked process, as after a bulk load of a million
    postgresql = connection.vendor == "postgresql"
    as_before, planning = plans() if postgresql else {}, []
    progress = (lambda *_: planning.append(plans())) if postgresql else None
    assert rebuild_search_index(batch=1, tokenizer_process=empty, progress=progress) == 3
    if postgresql:  # into an empty index each batch is joined by key, and then the planner is as it was
        assert as_before != BY_KEY and planning == [BY_KEY if empty else as_before] * 3 and plans() == as_before
    assert {q: numbers(supervisor, q) for q in queries} == before
    assert SearchIdentifier.objects.count() == 3  # one phone per ticket, not doubled
    # the write path indexes again after a bulk rebuild (SQLite's insert trigger was dropped and made again)
    after = open_(agent, "标题", "压缩机异响", customer=customer)
    assert numbers(supervisor, "压缩机") == [after.number]
    assert triggers() == triggers_before and len(triggers_before) == (3 if connection.vendor == "sqlite" else 0)
    if connection.vendor == "sqlite":  # FTS5 built with FTS_BUILD_MEMORY, then its own setting again
        with connection.cursor() as cursor:
            cursor.execute("SELECT v FROM search_fts_config WHERE k = 'hashsize'")
            assert cursor.fetchall() == ([(FTS_DEFAULT_HASHSIZE,)] if empty else [])
    # the bulk path drops the indexes (on PostgreSQL GIN and B-tree) and builds them again
    assert indexes() == indexes_before and "search_ident_tail" in {name for _, name, _ in indexes_before}
    if connection.vendor == "postgresql":
        assert {"search_document_doc_gin", "search_document_head_gin"} <= {name for _, name, _ in indexes_before}
        # and its tables' foreign keys to the tickets, dropped for the copy, are back as they were, and enforced
        assert foreign_keys() == keys_before and len(keys_before) == 2
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_identifier (ticket_id, kind, value, tail) VALUES (-1, 'phone', 'x', 'x')"
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def plans() -> dict[str, str]:
    """PostgreSQL: the planner settings _joined_by_key changes, as this session has them now."""
    with connection.cursor() as cursor:
        found = {}
        for name in BY_KEY:
            cursor.execute(f"SHOW {name}")
            found[name] = cursor.fetchone()[0]
        return found


def triggers() -> set[tuple[str, str]]:
    if connection.vendor != "sqlite":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_document'")
        return set(cursor.fetchall())


def indexes() -> list[tuple[str, str, str | None]]:
    return index_definitions("search_document", "search_identifier")


def foreign_keys() -> list[tuple[str, str, str]]:
    return foreign_key_definitions("search_document", "search_identifier") if connection.vendor == "postgresql" else []


def test_bad_input_is_refused_in_the_users_language(client, supervisor):
    _, raw = ApiToken.issue(supervisor, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    for params in (
        {"q": "x", "cursor": "nope!"},
        {"q": "x", "sort": "id"},
        {"q": "x", "from": "2026-13-01"},
        {"q": "x" * 5000},
    ):
        response = client.get("/api/v1/search", params, **headers)
        assert response.status_code == 400, params
        assert response.json()["error"]


def test_api_highlights_masks_and_keeps_a_query_budget(client, agent, supervisor):
    for i in range(12):
        ticket = open_(agent, f"排水泵<故障>{i}", "用户说排水泵异响")
        services.add_reply(ticket, body=f"回复 {i}", actor=agent, is_public=True)
    _, raw = ApiToken.issue(agent, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/search", {"q": "排水泵", "limit": 2}, **headers).status_code == 200
    with CaptureQueriesContext(connection) as large:
        response = client.get("/api/v1/search", {"q": "排水泵", "limit": 12}, **headers)
    body = response.json()
    assert len(body["items"]) == 12 and body["count"] == 12 and body["next_cursor"] is None
    item = body["items"][0]
    assert "<mark>排水泵</mark>&lt;故障&gt;" in item["title_html"]
    assert "<mark>排水泵</mark>" in item["snippet_html"]
    assert item["customer"]["phone"] != "13900001111"  # an agent sees it masked
    assert len(large.captured_queries) == len(small.captured_queries) <= 12


def test_the_search_page_shows_ranked_highlighted_masked_results(client, agent, supervisor, customer):
    ticket = open_(agent, "排水泵异响", "用户说<script>排水泵</script>一直响", customer=customer)
    open_(agent, "咨询", "无关")
    client.force_login(agent)
    response = client.get("/search", {"q": "排水泵"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html and "<mark>排水泵</mark>异响" in html
    assert "&lt;script&gt;<mark>排水泵</mark>" in html and "<script>排水泵" not in html
    assert customer.name not in html  # masked
    bad = client.get("/search", {"q": "排水泵", "cursor": "%%%"}).content.decode()
    assert "<mark>" not in bad and 'value="排水泵"' in bad  # the error is shown, the query kept


def test_the_reindex_command_rebuilds_the_index(agent, supervisor):
    from django.core.management import call_command

    ticket = open_(agent, "门锁", "指纹识别失败")
    SearchDocument.objects.all().delete()
    call_command("reindex_search", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert numbers(supervisor, "指纹") == [ticket.number]
