"""Charset, RFC 2047 header, RFC 2231 parameter and filename decoding for inbound mail. Pure.

Every function here accepts hostile input and never raises; decoding problems are reported as a
boolean flag next to the text instead.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
from collections.abc import Iterable

CHARSET_SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "utf8": "utf-8",
}

# Python codec names (from codecs.lookup) of the legacy labels above, so that spelling variants
# such as "GB_2312", "iso8859_1" or "csbig5" also end up on the superset.
_CODEC_SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "iso8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "ascii": "windows-1252",
    "cp1252": "windows-1252",
}

_REFUSED_CODECS = frozenset({"utf-7"})
_UNICODE_CODECS = ("utf-8", "utf-16", "utf-32")
_CJK_MULTIBYTE = frozenset({"gb18030", "big5hkscs", "cp949", "cp932", "euc_jp", "euc_jis_2004", "hz"})

_CJK_RE = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)


def normalize_charset(label: str | None) -> str | None:
    """Map a MIME charset label to a Python codec name (legacy labels to their supersets).

    Returns None for missing, unknown or refused (UTF-7) charsets.
    """
    if not label or not isinstance(label, str):
        return None
    name = label.strip().strip("\"'").strip().lower()
    name = name.split("*", 1)[0].strip()
    if not name or len(name) > 64:
        return None
    name = CHARSET_SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if info.name in _REFUSED_CODECS or not getattr(info, "_is_text_encoding", True):
        return None
    if name in CHARSET_SUPERSETS.values():
        return name
    return _CODEC_SUPERSETS.get(info.name, info.name)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError, TypeError):
        return None


def _codec_name(codec: str) -> str:
    try:
        return codecs.lookup(codec).name
    except LookupError:
        return codec


def _is_cjk_codec(codec: str) -> bool:
    name = _codec_name(codec)
    return name in _CJK_MULTIBYTE


_LATIN_RUN_RE = re.compile("[\u0080-\u00ff]{3,}")


def _repair_double_encoding(utf8_text: str, codec: str, *, guessing: bool = False) -> str | None:
    """Undo legacy CJK bytes that were read as Latin-1 and then re-encoded as UTF-8.

    Only attempted when the UTF-8 text is all Latin-1 with runs of three or more high characters
    (accented letters rarely come three in a row in real text) and the recovered bytes decode
    strictly to CJK. When the CJK charset is only a guess (raw headers), at least a quarter of the
    visible characters must also be high.
    """
    if any(ord(ch) > 0xFF for ch in utf8_text) or not _LATIN_RUN_RE.search(utf8_text):
        return None
    visible = [ch for ch in utf8_text if not ch.isspace()]
    high = sum(1 for ch in visible if ord(ch) >= 0x80)
    if guessing and high * 4 < len(visible):
        return None
    repaired = _strict(utf8_text.encode("latin-1"), codec)
    if repaired is None or len(_CJK_RE.findall(repaired)) < 2 or re.search("[\u0080-\u00ff]", repaired):
        return None
    return repaired


def _prefer_utf8(declared_text: str, utf8_text: str, codec: str) -> bool:
    """Whether valid UTF-8 bytes should win over a successful decode with the declared charset.

    Heuristic: bytes that are valid UTF-8 *and* contain multibyte sequences are very unlikely to
    be accidental in legacy text (every lead byte must be followed by exactly the right number of
    continuation bytes 0x80-0xBF, across the whole text). For single-byte labels any such text
    wins; for CJK double-byte labels the UTF-8 reading must also contain CJK, because a short
    legacy string can be valid UTF-8 by chance but then decodes to Latin or symbols, not CJK.
    """
    if utf8_text == declared_text or utf8_text.isascii():
        return False
    name = _codec_name(codec)
    if name.startswith(_UNICODE_CODECS):
        return False
    if name in _CJK_MULTIBYTE or name.startswith("iso2022"):
        return bool(_CJK_RE.search(utf8_text))
    return True


def _detect(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # detection is best effort on hostile bytes
        return None
    if best is None or best.encoding is None:
        return None
    codec = normalize_charset(best.encoding)
    if codec is None:
        return None
    return _strict(data, codec)


# Same-language codecs tried when the declared one fails (e.g. EUC-JP bytes labelled iso-2022-jp).
_SIBLINGS: dict[str, tuple[str, ...]] = {
    "iso2022_jp": ("euc_jp", "cp932", "iso2022_jp_2"),
    "iso2022_jp_2": ("euc_jp", "cp932"),
    "cp932": ("euc_jp", "iso2022_jp_2"),
    "euc_jp": ("cp932", "iso2022_jp_2"),
    "big5hkscs": ("cp950",),
    "cp950": ("big5hkscs",),
}
_NEARLY_MAX_RATIO = 0.02


def _nearly(data: bytes, codec: str) -> str | None:
    """The declared decode with replacement characters, if only a few bytes are bad (≤ 2 %)."""
    try:
        text = data.decode(codec, errors="replace")
    except (LookupError, ValueError, TypeError):
        return None
    bad = text.count("\ufffd")
    return text if bad <= max(1, int(len(text) * _NEARLY_MAX_RATIO)) else None


def _mostly_multibyte(text: str) -> bool:
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return good >= 2 * bad


_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def _plausible(text: str, codec: str) -> bool:
    """Whether a GB18030 fallback decode looks like Chinese rather than mis-read bytes.

    Real simplified-Chinese text is overwhelmingly made of GB2312 characters; Latin-1 or Big5
    bytes read as GB18030 mostly land on rare GBK-extension ideographs instead.
    """
    if _codec_name(codec) != "gb18030":
        return True
    han = _HAN_RE.findall(text)
    if not han:
        return True
    common = sum(1 for ch in han if _strict_encodable(ch, "gb2312"))
    return common * 2 >= len(han)


def _strict_encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _is_ascii_label(declared: str | None) -> bool:
    return (declared or "").strip().strip("\"'").strip().lower() in ("us-ascii", "ascii")


def decode_bytes(
    data: bytes, declared: str | None, *, fallbacks: tuple[str, ...] = ("utf-8", "gb18030")
) -> tuple[str, bool]:
    """Decode bytes using the declared charset, then UTF-8, the fallbacks and detection.

    A ``us-ascii`` label on 8-bit data is treated as a lie: detection runs before the fallbacks.
    Returns (text, problem); problem is True only when replacement characters had to be used.
    """
    if not data:
        return "", False
    data = bytes(data)
    codec = normalize_charset(declared)
    label_lied = _is_ascii_label(declared) and not data.isascii()
    if label_lied:
        codec = None
    utf8_text = _strict(data, "utf-8")
    if codec is not None:
        text = _strict(data, codec)
        if text is not None:
            if utf8_text is not None:
                repaired = _repair_double_encoding(utf8_text, codec) if _is_cjk_codec(codec) else None
                if repaired is not None:
                    return repaired, False
                if _prefer_utf8(text, utf8_text, codec):
                    return utf8_text, False
            return text, False
    if utf8_text is not None:
        repaired = _repair_double_encoding(utf8_text, codec) if codec and _is_cjk_codec(codec) else None
        return repaired or utf8_text, False
    if codec is not None:
        for sibling in _SIBLINGS.get(_codec_name(codec), ()):
            text = _strict(data, sibling)
            if text is not None:
                return text, False
        nearly = _nearly(data, codec)
        if nearly is not None:
            return nearly, True
    candidates = [c for c in (normalize_charset(f) for f in fallbacks) if c and c not in (codec, "utf-8")]
    decodable: list[str] = []
    for candidate in candidates:
        text = _strict(data, candidate)
        if text is not None:
            if not label_lied and _plausible(text, candidate):
                return text, False
            decodable.append(text)
    nearly_utf8 = _nearly(data, "utf-8")
    if nearly_utf8 is not None and _mostly_multibyte(nearly_utf8):
        return nearly_utf8, True
    detected = _detect(data)
    if detected is not None:
        return detected, False
    if decodable:
        return decodable[0], False
    return data.decode(codec or ("windows-1252" if label_lied else "utf-8"), errors="replace"), True


_ENCODED_WORD_RE = re.compile(rb"=\?([^?\s]{1,75})\?([bBqQ])\?([^?]*)\?=")
_FOLD_RE = re.compile(rb"\r?\n(?=[ \t])")
_QP_HEX_RE = re.compile(rb"=([0-9A-Fa-f]{2})")
_B64_JUNK_RE = re.compile(rb"[^A-Za-z0-9+/=_-]")


def decode_base64(data: bytes) -> bytes:
    """Decode base64 tolerating missing/extra padding, junk characters and concatenated blocks."""
    cleaned = _B64_JUNK_RE.sub(b"", data).replace(b"-", b"+").replace(b"_", b"/")
    out = bytearray()
    for chunk in re.split(rb"=+", cleaned):
        if len(chunk) % 4 == 1:
            chunk = chunk[:-1]
        if not chunk:
            continue
        try:
            out += base64.b64decode(chunk + b"=" * (-len(chunk) % 4))
        except (binascii.Error, ValueError):
            continue
    return bytes(out)


def _q_decode(data: bytes) -> bytes:
    return _QP_HEX_RE.sub(lambda m: bytes([int(m.group(1), 16)]), data.replace(b"_", b" "))


def _to_raw(value: str | bytes) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return value.encode("utf-8", "surrogateescape")


def _decode_plain(run: bytes, fallbacks: tuple[str, ...]) -> tuple[str, bool]:
    if run.isascii():
        return run.decode("ascii"), False
    utf8_text = _strict(run, "utf-8")
    if utf8_text is not None:
        for fallback in fallbacks:
            codec = normalize_charset(fallback)
            repaired = (
                _repair_double_encoding(utf8_text, codec, guessing=True) if codec and _is_cjk_codec(codec) else None
            )
            if repaired is not None:
                return repaired, False
        return utf8_text, False
    return decode_bytes(run, None, fallbacks=fallbacks)


def decode_header(value: str | bytes | None, *, fallback: str = "gb18030") -> tuple[str, bool]:
    """Decode an RFC 2047 header value (also raw 8-bit headers) into text.

    Adjacent encoded-words of one charset are joined at byte level before decoding.
    Returns (text, problem).
    """
    if value is None:
        return "", False
    try:
        raw = _to_raw(value)
    except (UnicodeError, TypeError):
        return str(value), True
    raw = _FOLD_RE.sub(b"", raw).replace(b"\r", b"").replace(b"\n", b"")
    fallbacks = tuple(dict.fromkeys((fallback, "gb18030")))
    pieces: list[str] = []
    problem = False
    pending_charset: str | None = None
    pending = bytearray()

    def flush() -> None:
        nonlocal problem, pending_charset
        if pending_charset is not None:
            text, bad = decode_bytes(bytes(pending), pending_charset, fallbacks=("utf-8", *fallbacks))
            pieces.append(text)
            problem = problem or bad
            pending.clear()
            pending_charset = None

    pos = 0
    for match in _ENCODED_WORD_RE.finditer(raw):
        between = raw[pos : match.start()]
        pos = match.end()
        charset = match.group(1).decode("ascii", "replace").lower()
        payload = match.group(3)
        decoded = decode_base64(payload) if match.group(2) in b"bB" else _q_decode(payload)
        if between and not (pending_charset is not None and between.strip(b" \t") == b""):
            flush()
            text, bad = _decode_plain(between, fallbacks)
            pieces.append(text)
            problem = problem or bad
        if pending_charset is not None and pending_charset.split("*", 1)[0] != charset.split("*", 1)[0]:
            flush()
        if pending_charset is None:
            pending_charset = charset
        pending += decoded
    flush()
    if pos < len(raw):
        text, bad = _decode_plain(raw[pos:], fallbacks)
        pieces.append(text)
        problem = problem or bad
    return "".join(pieces), problem


def decode_param(
    value: str | tuple[str | None, str | None, str] | None, *, fallback: str = "gb18030"
) -> tuple[str, bool]:
    """Decode a MIME parameter as returned by compat32 ``get_param``/``get_filename``.

    RFC 2231 values arrive as (charset, language, text) tuples whose text holds the
    percent-decoded bytes as Latin-1 characters; plain values may hold RFC 2047 words or raw
    8-bit bytes. Returns (text, problem).
    """
    if value is None:
        return "", False
    if isinstance(value, tuple):
        charset = value[0] if len(value) == 3 else None
        text = value[-1] or ""
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogateescape")
        decoded, problem = decode_bytes(raw, charset, fallbacks=("utf-8", fallback, "gb18030"))
        if "=?" in decoded:
            return decode_header(decoded, fallback=fallback)
        return decoded, problem
    value = str(value)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return decode_header(value, fallback=fallback)


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_MAX_FILENAME_BYTES = 255


def _clean_chars(chars: Iterable[str]) -> str:
    return "".join(ch for ch in chars if ch not in _BIDI_CONTROLS and unicodedata.category(ch) not in _DROP_CATEGORIES)


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def safe_filename(name: str | None) -> str:
    """Turn an untrusted attachment name into safe display metadata (never empty, ≤ 255 bytes)."""
    if not name or not isinstance(name, str):
        return "attachment"
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    text = unicodedata.normalize("NFC", _clean_chars(text))
    text = text.lstrip(". ").rstrip(" ")
    if not text:
        return "attachment"
    if len(text.encode("utf-8")) > _MAX_FILENAME_BYTES:
        stem, dot, ext = text.rpartition(".")
        ext_bytes = len(ext.encode("utf-8")) + 1
        if dot and stem and ext_bytes <= 32:
            text = _truncate_utf8(stem, _MAX_FILENAME_BYTES - ext_bytes).rstrip(" ") + "." + ext
        else:
            text = _truncate_utf8(text, _MAX_FILENAME_BYTES)
        text = text.lstrip(". ")
    return text or "attachment"
