"""Public numbers: P + date + 3-digit daily serial (P20240315001), C + date + 2-digit serial."""

from __future__ import annotations

import datetime as dt

WIDTHS = {"P": 3, "C": 2}


def format_public_number(prefix: str, day: dt.date, serial: int) -> str:
    """The serial is zero-padded to the prefix's width and simply grows past it (P202403151000)."""
    if serial < 1:
        raise ValueError("serial starts at 1")
    return f"{prefix}{day:%Y%m%d}{serial:0{WIDTHS[prefix]}d}"
