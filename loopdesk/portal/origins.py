"""Which web origins may embed the report form or call the report API. Pure."""

from __future__ import annotations

from urllib.parse import urlsplit


def normalize_origin(value: str) -> str:
    """`https://Shop.Example.com:443/` → `https://shop.example.com`; anything that is not an origin → ""."""
    value = (value or "").strip()
    if not value or any(c in value for c in " \t\r\n\0*'\";,"):
        return ""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
        return ""
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def parse_origins(text: str) -> list[str]:
    """The valid origins of an admin-entered list (one per line or separated by spaces), deduplicated."""
    found = [normalize_origin(part) for part in (text or "").split()]
    return list(dict.fromkeys(o for o in found if o))


def invalid_origins(text: str) -> list[str]:
    """Entries of the list that are not plain origins, for the admin form's error."""
    return [part for part in (text or "").split() if not normalize_origin(part)]


def is_allowed(origin: str, allowed: list[str]) -> bool:
    """An exact match of the normalized origin; no wildcards, `null` never matches."""
    normalized = normalize_origin(origin)
    return bool(normalized) and normalized in allowed


def frame_ancestors(allowed: list[str]) -> str:
    """The CSP frame-ancestors source list: the allowed origins, or 'none'."""
    return " ".join(allowed) if allowed else "'none'"
