"""FTS5's structure record read, written and raised without a database (fts5_structure is pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.search.fts5_structure import (
    Level,
    Segment,
    Structure,
    encode,
    parse,
    raised,
    read_varint,
    settled_level,
    varint,
)

# SQLite's varint (sqlite3PutVarint): 7 bits a byte, big-endian; the ninth byte carries 8 bits.
VARINTS = [
    (0, "00"),
    (1, "01"),
    (127, "7f"),
    (128, "8100"),
    (300, "822c"),
    (16383, "ff7f"),
    (16384, "818000"),
    ((1 << 56) - 1, "ffffffffffffff7f"),
    (1 << 56, "80c080808080808000"),
    ((1 << 64) - 1, "ffffffffffffffffff"),
]


@pytest.mark.parametrize(("value", "encoded"), VARINTS)
def test_varints_are_sqlites(value, encoded):
    assert varint(value).hex() == encoded
    assert read_varint(bytes.fromhex(encoded) + b"\x05", 0) == (value, len(encoded) // 2)


@given(st.integers(min_value=0, max_value=(1 << 64) - 1))
def test_every_varint_reads_back(value):
    assert read_varint(varint(value), 0) == (value, len(varint(value)))


def test_varints_outside_64_bits_and_cut_short_are_refused():
    with pytest.raises(ValueError):
        varint(-1)
    with pytest.raises(ValueError):
        varint(1 << 64)
    with pytest.raises(ValueError):
        read_varint(b"\x81", 0)


# What FTS5 writes for a table with one row: cookie 0, 1 level, 1 segment, write counter 1; level 0 not merging,
# 1 segment: id 1, pages 1 to 1.
ONE_ROW = bytes.fromhex("000000000101010001010101")


def test_reads_the_record_fts5_writes_for_one_row():
    assert parse(ONE_ROW) == Structure(b"\0\0\0\0", 1, (Level(0, (Segment(1, 1, 1),)),))
    assert encode(parse(ONE_ROW)) == ONE_ROW


def built(level: int = 0, *, cookie: bytes = b"\0\0\0\x07", merging: int = 0, extra: tuple = ()) -> Structure:
    """One segment of 9,000 pages on `level`, and whatever `extra` segments beside it."""
    levels = [Level(0, ())] * level + [Level(merging, (Segment(3, 1, 9000), *extra))]
    return Structure(cookie, 1234, tuple(levels))


def test_the_only_segment_moves_up_with_its_cookie_and_write_counter():
    moved = raised(encode(built(0)), 10)
    assert moved is not None
    assert parse(moved) == Structure(b"\0\0\0\x07", 1234, (Level(0, ()),) * 10 + (Level(0, (Segment(3, 1, 9000),)),))


@pytest.mark.parametrize(
    ("record", "why"),
    [
        (encode(built(0, extra=(Segment(4, 9001, 9001),))), "two segments"),
        (encode(built(0, merging=1, extra=(Segment(4, 9001, 9001),))), "a merge in progress"),
        (encode(built(10)), "already on the level"),
        (encode(built(12)), "above it"),
        (encode(Structure(b"\0\0\0\0", 0, ())), "no segment"),
        (ONE_ROW + b"\x00", "bytes after the record"),
        (ONE_ROW[:-1], "cut short"),
        (b"\0\0\0\0" + b"\xff\x00\x00\x01" + ONE_ROW[4:], "the V2 format"),
        (bytes.fromhex("000000000102010001010101"), "a segment count that does not add up"),
    ],
)
def test_anything_but_one_settled_segment_is_left_as_it_is(record, why):
    assert raised(record, 10) is None, why


@pytest.mark.parametrize(
    ("documents", "level"), [(0, 1), (1, 1), (3, 1), (4, 1), (5, 2), (20, 3), (100_000, 9), (1_000_000, 10)]
)
def test_the_settled_level_holds_about_as_many_documents(documents, level):
    assert settled_level(documents) == level
    assert settled_level(10**40) == 63
