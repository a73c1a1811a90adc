"""Bearer tokens in links sent to customers (portal access and sign-in, surveys): 256-bit secrets, stored
only as their SHA-256, compared in constant time. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32  # 256 bits
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32) is 43 characters


def new_token() -> str:
    """A fresh token from the system's CSPRNG, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(raw: str) -> str:
    """What is stored for a token: its SHA-256, hex."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def is_well_formed(raw: str) -> bool:
    return bool(_SHAPE.match(raw or ""))


def same_digest(raw: str, stored: str) -> bool:
    """Compare the token's digest with a stored one in constant time."""
    return hmac.compare_digest(digest(raw), stored or "")
