"""Search tokens, the same on SQLite (FTS5) and PostgreSQL (tsvector): CJK bigrams, ASCII words, no models.

Text is NFKC-normalised (full-width ＸＱＧ１００ is XQG100) and case-folded. A run of CJK characters gives its
overlapping bigrams followed by its last character alone (排水泵 -> 排水 水泵 泵), so a phrase of a query's bigrams
matches exactly where the query is a substring, a one-character query matches by prefix, and the lone last
character keeps two runs from looking adjacent. Letters and digits give one word per run (XQG100-14 -> xqg100 14).
"""

from __future__ import annotations

import re
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


_CJK = "\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002fa1f\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_WORD = re.compile(f"([{_CJK}]+)|((?:[^\\W{_CJK}])+)")


def runs(text: str) -> list[Run]:
    """The CJK runs and the letters-and-digits runs of the normalised text, in order."""
    out: list[Run] = []
    for cjk, word in _WORD.findall(normalize(text)):
        if cjk:
            out.append(Run(cjk, True))
        else:
            out.extend(Run(part, False) for part in word.split("_") if part)
    return out


def run_tokens(run: Run) -> list[str]:
    if not run.cjk:
        return [run.text] if len(run.text) <= MAX_TOKEN else []
    chars = run.text
    if len(chars) == 1:
        return [chars]
    return [chars[i : i + 2] for i in range(len(chars) - 1)] + [chars[-1]]


def tokens(text: str, limit: int = MAX_TOKENS) -> list[str]:
    """The document's tokens in order, at most `limit`: the tokens of `runs`, as `run_tokens` gives them.

    Written out rather than through Run objects: a rebuild tokenises every ticket, and building a Run per word
    was a third of the time (the tests check both give the same tokens)."""
    out: list[str] = []
    append, extend = out.append, out.extend
    for cjk, word in _WORD.findall(normalize(text)):
        if cjk:
            if len(cjk) > 1:
                extend([cjk[i : i + 2] for i in range(len(cjk) - 1)])
            append(cjk[-1])
        elif "_" in word:
            extend(part for part in word.split("_") if part and len(part) <= MAX_TOKEN)
        elif len(word) <= MAX_TOKEN:
            append(word)
        if len(out) >= limit:
            return out[:limit]
    return out
