"""Which files a ticket may hold: size limits, an extension allowlist and a content check. Pure."""

from __future__ import annotations

from dataclasses import dataclass

import filetype

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_FILES = 20

# extension → (content type we serve it with, accepted detected types; empty = text, checked separately)
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "jpg": ("image/jpeg", frozenset({"image/jpeg"})),
    "jpeg": ("image/jpeg", frozenset({"image/jpeg"})),
    "png": ("image/png", frozenset({"image/png"})),
    "gif": ("image/gif", frozenset({"image/gif"})),
    "webp": ("image/webp", frozenset({"image/webp"})),
    "bmp": ("image/bmp", frozenset({"image/bmp"})),
    "heic": ("image/heic", frozenset({"image/heic"})),
    "pdf": ("application/pdf", frozenset({"application/pdf"})),
    "doc": ("application/msword", frozenset({"application/x-cfb", "application/msword"})),
    "xls": ("application/vnd.ms-excel", frozenset({"application/x-cfb", "application/vnd.ms-excel"})),
    "ppt": ("application/vnd.ms-powerpoint", frozenset({"application/x-cfb", "application/vnd.ms-powerpoint"})),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset({"application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        frozenset({"application/zip", "application/vnd.openxmlformats-officedocument.presentationml.presentation"}),
    ),
    "zip": ("application/zip", frozenset({"application/zip"})),
    "rar": ("application/vnd.rar", frozenset({"application/x-rar-compressed", "application/vnd.rar"})),
    "7z": ("application/x-7z-compressed", frozenset({"application/x-7z-compressed"})),
    "mp4": ("video/mp4", frozenset({"video/mp4"})),
    "mov": ("video/quicktime", frozenset({"video/quicktime"})),
    "mp3": ("audio/mpeg", frozenset({"audio/mpeg"})),
    "wav": ("audio/wav", frozenset({"audio/x-wav", "audio/wav"})),
    "amr": ("audio/amr", frozenset({"audio/amr"})),
    "txt": ("text/plain; charset=utf-8", frozenset()),
    "log": ("text/plain; charset=utf-8", frozenset()),
    "csv": ("text/csv; charset=utf-8", frozenset()),
    "eml": ("message/rfc822", frozenset()),
}
ACTIVE = frozenset(
    [
        "html",
        "htm",
        "xhtml",
        "shtml",
        "svg",
        "svgz",
        "js",
        "mjs",
        "php",
        "phtml",
        "htaccess",
        "exe",
        "dll",
        "bat",
        "cmd",
        "com",
        "ps1",
        "vbs",
        "vbe",
        "wsf",
        "jar",
        "scr",
        "hta",
        "lnk",
        "msi",
        "sh",
        "reg",
        "cpl",
    ]
)
INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Verdict:
    ok: bool
    content_type: str = ""
    reason: str = ""  # a stable code: too_large, active_content, not_allowed, content_mismatch


def extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


def check_file(name: str, head: bytes, size: int) -> Verdict:
    """Whether a file may be kept: size, allowed extension, no active content, and content matching the name."""
    if size > MAX_FILE_BYTES:
        return Verdict(False, reason="too_large")
    parts = [p.lower() for p in name.split(".")[1:]]
    if any(p in ACTIVE for p in parts):  # also double extensions: invoice.pdf.exe, photo.php.jpg
        return Verdict(False, reason="active_content")
    ext = extension(name)
    if ext not in ALLOWED:
        return Verdict(False, reason="not_allowed")
    served, accepted = ALLOWED[ext]
    if not accepted:
        text_like = b"\0" not in head[:8192] and not head.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))
        return Verdict(True, served) if text_like else Verdict(False, reason="content_mismatch")
    kind = filetype.guess(head)
    if kind is None or kind.mime not in accepted:
        return Verdict(False, reason="content_mismatch")
    return Verdict(True, served)
