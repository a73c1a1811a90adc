"""Subject normalisation, ticket tokens and signed Message-IDs. Pure."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.mail.threading import (
    normalize_subject,
    outbound_message_id,
    ticket_number_from_message_id,
    ticket_number_in_subject,
)

KEY = b"k" * 32


@pytest.mark.parametrize(
    "subject",
    [
        "洗衣机不脱水",
        "Re: 洗衣机不脱水",
        "RE：洗衣机不脱水",
        "回复：洗衣机不脱水",
        "回复: 回复: 洗衣机不脱水",
        "答复: Re: 洗衣机不脱水",
        "转发：洗衣机不脱水",
        "Fwd: FW: 洗衣机不脱水",
        "Re[2]: 洗衣机不脱水",
        "  洗衣机   不脱水 ".replace("   ", ""),
        "Re: [P20261125001] 洗衣机不脱水",
        "回复：【P20261125001】洗衣机不脱水",
        "ＲＥ：洗衣机不脱水",
    ],
)
def test_reply_and_forward_prefixes_and_tokens_are_dropped(subject):
    assert normalize_subject(subject) == "洗衣机不脱水"


def test_different_subjects_stay_different():
    assert normalize_subject("Re: 冰箱不制冷") != normalize_subject("Re: 洗衣机不脱水")
    assert normalize_subject("Report: status") == "report: status"  # "Re" inside a word is no prefix


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [P20261125001] 洗衣机", "P20261125001"),
        ("回复：【P20261125012】", "P20261125012"),
        ("关于（P20261125003）的进展", "P20261125003"),
        ("[#P20261125004]", "P20261125004"),
        ("P20261125001 without brackets", None),
        ("[P2026] too short", None),
    ],
)
def test_ticket_numbers_in_subjects(subject, number):
    assert ticket_number_in_subject(subject) == number


def test_our_message_ids_verify_and_forged_ones_do_not():
    mid = outbound_message_id("P20261125001", "ab12", KEY, "desk.example")
    assert mid.endswith("@desk.example")
    assert ticket_number_from_message_id(mid, KEY) == "P20261125001"
    assert ticket_number_from_message_id(f"<{mid}>", KEY) == "P20261125001"
    assert ticket_number_from_message_id(mid, b"other-key") is None
    forged = mid.replace("P20261125001", "P20261125002")
    assert ticket_number_from_message_id(forged, KEY) is None
    assert ticket_number_from_message_id("random@example.com", KEY) is None


@given(st.text(max_size=300))
def test_normalising_never_raises_and_is_idempotent(subject):
    once = normalize_subject(subject)
    assert normalize_subject(once) == once and len(once) <= 255
