"""A user's search text as terms, the FTS5 and tsquery expressions for them, and highlighting; no models.

Whitespace separates terms; inside a word, a CJK run and a letters-and-digits run are separate terms too
("XQG100-14不脱水" is the terms xqg100-14 and 不脱水), and every term must match. A CJK term matches as a phrase of
its bigrams, that is where it is a substring; a letters-and-digits term as a phrase of its words, the last by prefix
when it is a word of four or more letters ("refund" finds "refunded"). Codes with digits ("35GW", "E21") and shorter
words match whole: their prefixes match too much to be useful, and on PostgreSQL a prefix has to collect every
ticket of every word it begins ("pro": 120,000 at a million tickets) before anything else narrows it."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from html import escape

from loopdesk.search.tokenize import is_cjk, normalize, run_tokens, runs

MAX_TERMS = 8


@dataclass(frozen=True)
class Term:
    tokens: tuple[str, ...]
    prefix: bool
    pattern: str  # regex over normalised text, for highlighting


def _cjk_term(text: str) -> Term:
    if len(text) == 1:
        return Term((text,), True, re.escape(text))
    return Term(tuple(text[i : i + 2] for i in range(len(text) - 1)), False, re.escape(text))


def _word_term(words: list[str]) -> Term:
    last = words[-1]
    prefix = len(last) >= 4 and last.isalpha()
    pattern = r"[^\w]*".join(re.escape(w) for w in words) + (r"\w*" if prefix else r"(?![0-9a-z])")
    return Term(tuple(words), prefix, r"(?<![0-9a-z])" + pattern)


def whole_words(terms: list[Term]) -> list[Term]:
    """The terms without their prefixes: what they match, their prefixed forms match too (a lower bound)."""
    return [Term(t.tokens, False, t.pattern) for t in terms]


def parse(text: str) -> list[Term]:
    """The terms of a query, at most MAX_TERMS, duplicates dropped."""
    terms: list[Term] = []
    for part in text.split():
        words: list[str] = []
        for run in runs(part):
            if run.cjk:
                if words:
                    terms.append(_word_term(words))
                    words = []
                terms.append(_cjk_term(run.text))
            elif run_tokens(run):
                words.append(run.text)
        if words:
            terms.append(_word_term(words))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


# --- SQLite FTS5 -------------------------------------------------------------------------------------


def _fts_term(term: Term) -> str:
    phrase = '"' + " ".join(term.tokens) + '"'
    return phrase + " *" if term.prefix else phrase


def fts_match(terms: list[Term], column: str | None = None) -> str:
    expr = " AND ".join(_fts_term(t) for t in terms)
    return f"{{{column}}} : ({expr})" if column else f"({expr})"


def fts_match_not_in(terms: list[Term], column: str) -> str:
    """Matches anywhere but not all in `column` (the second rank tier)."""
    return f"{fts_match(terms)} NOT {fts_match(terms, column)}"


# --- PostgreSQL tsquery ------------------------------------------------------------------------------


def lexeme(token: str) -> str:
    return "'" + _escaped(token) + "'"


def _escaped(token: str) -> str:
    return token.replace("\\", "\\\\").replace("'", "''")


def tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        lexemes = [lexeme(t) for t in term.tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


# Every PostgreSQL document also holds one lexeme naming its ticket's id window (ids >> WINDOW_SHIFT), which no
# query term can produce ("~" is not a word character). A search first asks GIN for the matches in the newest
# windows only, so a common phrase rechecks a few hundred rows on the heap instead of every match (37,756 for
# 无法开机 at a million tickets), and asks for the older ones only when the newest did not fill the page.
WINDOW_SHIFT = 12
WINDOW_PREFIX = "~w"


def window_lexeme(ticket_id: int) -> str:
    return lexeme(f"{WINDOW_PREFIX}{ticket_id >> WINDOW_SHIFT}")


def in_windows(tsq: str, windows: range) -> str:
    """`tsq` restricted to the tickets whose id window is in `windows`."""
    return f"({tsq}) & (" + " | ".join(lexeme(f"{WINDOW_PREFIX}{w}") for w in windows) + ")"


# PostgreSQL keeps a lexeme's first 256 positions (MAXNUMPOS) and stores none above 16383 (MAX_TOKENS keeps
# below it): what the literals below give beyond that, the server drops while parsing.
MAX_POSITIONS = 256


def tsvectors(head: list[str], body: list[str]) -> tuple[str, str]:
    """tsvector literals of the head alone and of the whole document: the head's tokens at positions 1, 2, ...,
    the body's from two positions after the head's last, so no phrase spans the two (as FTS5's two columns).

    Each lexeme once, its positions in order: a rebuild writes a million of these, and the plain way (a dict
    of positions per part, each part a literal, the server merging the two) was twice the cost of tokenising."""
    positions: dict[str, list[int]] = {}
    _add(positions, head, 1)
    head_literal = _literal(positions)
    _add(positions, body, len(head) + 2)
    return head_literal, _literal(positions)


def _add(positions: dict[str, list[int]], tokens: list[str], start: int) -> None:
    get = positions.get
    for at, token in enumerate(tokens, start):
        slot = get(token)
        if slot is None:
            positions[token] = [at]
        else:
            slot.append(at)


def _literal(positions: dict[str, list[int]]) -> str:
    every = "".join(positions)
    if "'" in every or "\\" in every:  # never from tokens(), whose words are letters and digits
        positions = {_escaped(t): at for t, at in positions.items()}
    return " ".join(
        [
            f"'{t}':{at[0]}" if len(at) == 1 else f"'{t}':{','.join(map(str, at[:MAX_POSITIONS]))}"
            for t, at in positions.items()
        ]
    )


# --- highlighting ------------------------------------------------------------------------------------


@functools.cache
def _uneven() -> re.Pattern[str]:
    """The characters whose normalised form is not one character, or that may join a neighbour when a whole text
    is normalised (combining marks, Hangul jamo); and everything beyond the BMP. Built once (about 0.1 s)."""
    found = []
    for code in range(0x10000):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        norm = normalize(ch)
        if (
            len(norm) != 1
            or unicodedata.category(ch).startswith("M")
            or unicodedata.category(norm).startswith("M")  # half-width voiced marks
            or 0x1100 <= code <= 0x11FF  # conjoining jamo
            or 0x3130 <= code <= 0x318F  # compatibility jamo
            or 0xFFA0 <= code <= 0xFFDC  # half-width jamo
        ):
            found.append(re.escape(ch))
    return re.compile("[" + "".join(found) + "\U00010000-\U0010ffff]")


def _normalised_with_map(text: str) -> tuple[str, list[int] | range]:
    """The normalised text and, per normalised character, the index of the original character."""
    if not _uneven().search(text):  # each character normalises to one of its own: the same places
        norm = normalize(text)
        if len(norm) == len(text):
            return norm, range(len(text))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        norm = normalize(ch)
        out.append(norm)
        where.extend([i] * len(norm))
    return "".join(out), where


def spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Merged (start, end) ranges of the original text that the terms match."""
    if not text or not terms or not any(re.search(t.pattern, normalize(text)) for t in terms):
        return []  # most texts hold no match: no need to map each character back
    norm, where = _normalised_with_map(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        for m in re.finditer(term.pattern, norm):
            if m.end() > m.start():
                found.append((where[m.start()], where[m.end() - 1] + 1))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[Term], *, around: int | None = None) -> str:
    """HTML-escaped text with <mark> around matches; with `around`, only a window of that many characters
    either side of the first match (an empty string when nothing matches)."""
    found = spans(text, terms)
    if around is not None:
        if not found:
            return ""
        lo = max(0, found[0][0] - around)
        hi = min(len(text), found[0][1] + around * 2)
        found = [(max(s, lo), min(e, hi)) for s, e in found if e > lo and s < hi]
    else:
        lo, hi = 0, len(text)
    out = ["…" if lo > 0 else ""]
    pos = lo
    for start, end in found:
        out.append(escape(text[pos:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        pos = end
    out.append(escape(text[pos:hi]))
    if hi < len(text):
        out.append("…")
    return "".join(out)


def is_cjk_text(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)
