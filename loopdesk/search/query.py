"""A user's search text as terms, the FTS5 and tsquery expressions for them, and highlighting; no models.

Whitespace separates terms; inside a word, a CJK run and a letters-and-digits run are separate terms too
("XQG100-14不脱水" is the terms xqg100-14 and 不脱水), and every term must match. A CJK term matches as a phrase of
its bigrams, that is where it is a substring; a letters-and-digits term as a phrase of its words, the last by prefix
when it has three or more characters and is not a number."""

from __future__ import annotations

import re
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
    prefix = len(last) >= 3 and not last.isdigit()
    pattern = r"[^\w]*".join(re.escape(w) for w in words) + (r"\w*" if prefix else r"(?![0-9a-z])")
    return Term(tuple(words), prefix, r"(?<![0-9a-z])" + pattern)


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
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        lexemes = [lexeme(t) for t in term.tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def tsvector(tokens: list[str], start: int = 1) -> str:
    """A tsvector literal with the tokens at positions start, start+1, ... (at most 255 positions per lexeme)."""
    positions: dict[str, list[int]] = {}
    for offset, token in enumerate(tokens):
        slot = positions.setdefault(token, [])
        if len(slot) < 255:
            slot.append(min(start + offset, 16383))
    return " ".join(f"{lexeme(tok)}:{','.join(map(str, pos))}" for tok, pos in positions.items())


# --- highlighting ------------------------------------------------------------------------------------


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, per normalised character, the index of the original character."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        norm = normalize(ch)
        out.append(norm)
        where.extend([i] * len(norm))
    return "".join(out), where


def spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Merged (start, end) ranges of the original text that the terms match."""
    if not text or not terms:
        return []
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
