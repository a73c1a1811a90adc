"""SQLite FTS5's structure record: which segments of the index sit on which merge level. Pure.

FTS5 keeps its index as segments on levels 0..63 and merges a level's segments into one on the next level once
there are `automerge` (4) of them, or all at once in the writing transaction once there are `crisismerge` (16).
A new document's segment starts on level 0. A bulk build ('rebuild', then 'optimize') leaves its one big segment
on level 0 or 1, so within 16 writes it is merged with them: all of it rewritten inside a user's write, again a
few hundred writes later one level up, and so on (at 1,000,000 tickets a 12 s stall writing 2 GB). On the level
where the writes' own merges only reach it once they hold about as many documents (`settled_level`), it waits
until merging it is worth its cost, as a log-structured index intends. (FTS5 moves a segment back down only to
a level whose newest segment is at least as large, which the writes' merges below it are not.)

The record (fts5_index.c, fts5StructureDecode; the legacy format, which every FTS5 version reads and writes for
tables without `contentless_delete`): a 4-byte configuration cookie, varints nLevel, nSegment, nWriteCounter,
then per level varints nMerge and nSeg and per segment iSegid, pgnoFirst, pgnoLast. Anything else (the V2
format, trailing bytes, a merge in progress, more than one segment) is left as it is: `raised` answers None."""

from __future__ import annotations

import math
from dataclasses import dataclass

STRUCTURE_ROWID = 10  # FTS5_STRUCTURE_ROWID: the record's id in the %_data table
MAX_LEVEL = 64  # FTS5_MAX_LEVEL
AUTOMERGE = 4  # FTS5's default 'automerge': segments on a level that make a merge
V2_MARKER = b"\xff\x00\x00\x01"


@dataclass(frozen=True)
class Segment:
    segment_id: int
    first_page: int
    last_page: int


@dataclass(frozen=True)
class Level:
    merging: int  # nMerge: how many of the segments an incremental merge has taken as input
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Structure:
    cookie: bytes
    write_counter: int
    levels: tuple[Level, ...]


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's varint at `at`: big-endian, 7 bits a byte with the high bit set on all but the last, and the
    ninth byte's 8 bits whole. Returns the value and where the next one starts."""
    value = 0
    for i in range(9):
        if at + i >= len(data):
            raise ValueError("truncated varint")
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")  # pragma: no cover


def varint(value: int) -> bytes:
    if not 0 <= value < 1 << 64:
        raise ValueError("a varint holds 0 to 2**64 - 1")
    if value >= 1 << 56:  # nine bytes: eight of 7 bits, the last of 8
        low, value = value & 0xFF, value >> 8
        return bytes(0x80 | (value >> (7 * (7 - i))) & 0x7F for i in range(8)) + bytes([low])
    groups = [value & 0x7F]
    while value := value >> 7:
        groups.append(value & 0x7F)
    groups.reverse()
    return bytes([g | 0x80 for g in groups[:-1]] + [groups[-1]])


def parse(record: bytes) -> Structure:
    """The legacy structure record; ValueError for the V2 format or a record this reading does not consume."""
    if record[4:8] == V2_MARKER:
        raise ValueError("the V2 structure format (contentless_delete)")
    count, at = read_varint(record, 4)
    total, at = read_varint(record, at)
    write_counter, at = read_varint(record, at)
    levels = []
    for _ in range(count):
        merging, at = read_varint(record, at)
        n, at = read_varint(record, at)
        segments = []
        for _ in range(n):
            segment_id, at = read_varint(record, at)
            first, at = read_varint(record, at)
            last, at = read_varint(record, at)
            segments.append(Segment(segment_id, first, last))
        levels.append(Level(merging, tuple(segments)))
    if at != len(record) or sum(len(level.segments) for level in levels) != total:
        raise ValueError("not a structure record this reading understands")
    return Structure(record[:4], write_counter, tuple(levels))


def encode(structure: Structure) -> bytes:
    total = sum(len(level.segments) for level in structure.levels)
    out = bytearray(structure.cookie)
    out += varint(len(structure.levels)) + varint(total) + varint(structure.write_counter)
    for level in structure.levels:
        out += varint(level.merging) + varint(len(level.segments))
        for s in level.segments:
            out += varint(s.segment_id) + varint(s.first_page) + varint(s.last_page)
    return bytes(out)


def settled_level(documents: int) -> int:
    """The level where `documents` indexed at once wait for the writes after them: each level up holds about
    AUTOMERGE times the documents of the one below, one document a write on level 0."""
    return min(MAX_LEVEL - 1, math.ceil(math.log(max(documents, 2), AUTOMERGE)))


def raised(record: bytes, level: int) -> bytes | None:
    """The record with its only segment moved up to `level` (the levels below it empty), or None when there is
    nothing to move: a record this module cannot read exactly, several segments, a merge in progress, or the
    segment already on that level or above. The cookie and write counter stay as they are."""
    try:
        structure = parse(record)
    except ValueError:
        return None
    if encode(structure) != record or not 0 < level < MAX_LEVEL:
        return None
    placed = [(i, lv) for i, lv in enumerate(structure.levels) if lv.segments]
    if len(placed) != 1 or len(placed[0][1].segments) != 1 or any(lv.merging for lv in structure.levels):
        return None
    at, only = placed[0]
    if at >= level:
        return None
    levels = (Level(0, ()),) * level + (Level(0, only.segments),)
    return encode(Structure(structure.cookie, structure.write_counter, levels))
