"""Search tokens, the same on SQLite (FTS5) and PostgreSQL (tsvector): CJK bigrams, ASCII words, no models.

Text is NFKC-normalised (full-width ＸＱＧ１００ is XQG100) and case-folded. A run of CJK characters gives its
overlapping bigrams followed by its last character alone (排水泵 -> 排水 水泵 泵), so a phrase of a query's bigrams
matches exactly where the query is a substring, a one-character query matches by prefix, and the lone last
character keeps two runs from looking adjacent. Letters and digits give one word per run (XQG100-14 -> xqg100 14).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_TOKEN = 64  # longer runs (base64, hashes) are not words anyone types
MAX_TOKENS = 16000  # PostgreSQL positions stop at 16383; both databases index the same prefix


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x20000 <= code <= 0x2FA1F  # extensions B-F, compatibility supplement
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x3040 <= code <= 0x30FF  # kana
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
    )


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Run:
    """A maximal run of CJK characters or of letters and digits, normalised."""

    text: str
    cjk: bool


def runs(text: str) -> list[Run]:
    out: list[Run] = []
    buf: list[str] = []
    kind: bool | None = None
    for ch in normalize(text):
        if is_cjk(ch):
            this: bool | None = True
        elif ch.isalnum():
            this = False
        else:
            this = None
        if this != kind and buf:
            out.append(Run("".join(buf), bool(kind)))
            buf = []
        if this is not None:
            buf.append(ch)
        kind = this
    if buf:
        out.append(Run("".join(buf), bool(kind)))
    return out


def run_tokens(run: Run) -> list[str]:
    if not run.cjk:
        return [run.text] if len(run.text) <= MAX_TOKEN else []
    chars = run.text
    if len(chars) == 1:
        return [chars]
    return [chars[i : i + 2] for i in range(len(chars) - 1)] + [chars[-1]]


def tokens(text: str, limit: int = MAX_TOKENS) -> list[str]:
    """The document's tokens in order, at most `limit`."""
    out: list[str] = []
    for run in runs(text):
        out.extend(run_tokens(run))
        if len(out) >= limit:
            return out[:limit]
    return out
