"""Masking for display: table-driven, plus properties that no clear middle digits survive."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.core.masking import mask, mask_address, mask_email, mask_name, mask_phone, normalize_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [("李四", "李*"), ("欧阳娜娜", "欧***"), ("王", "*"), ("", ""), (" 张三 ", "张*")],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0086 13812345678", "138****5678"),
        ("010-88886666", "010****6666"),
        ("8888-6666", "****6666"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_email_and_address():
    assert mask_email("zhang.san@example.com") == "z********@example.com"
    assert mask_address("北京市朝阳区建国路88号") == "北京市朝阳区******"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_mobile_numbers_keep_only_prefix_and_last_four(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and masked[3:7] == "****"


@given(st.text(alphabet="0123456789 -+()", max_size=30))
def test_normalize_phone_keeps_only_digits(value):
    assert normalize_phone(value).isdigit() or normalize_phone(value) == ""


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.sampled_from(["{}", "+86 {}", "0086{}", "86{}"]))
def test_the_middle_digits_never_survive_any_format(phone, shape):
    # given a mobile number written in some format, with a hyphenated variant
    typed = shape.format(phone)
    for variant in (typed, f"{typed[:-8]}-{typed[-8:-4]}-{typed[-4:]}"):
        # when masked
        masked = mask_phone(variant)
        # then the four middle digits are gone: only the prefix and the last four remain
        assert masked == phone[:3] + "****" + phone[-4:]


@given(st.text(alphabet="0123456789", min_size=5, max_size=20))
def test_masked_numbers_show_at_most_seven_digits(digits):
    masked = mask_phone(digits)
    shown = [c for c in masked if c.isdigit()]
    assert len(masked) == len(normalize_phone(digits)) and len(shown) <= 7
    if len(masked) >= 11:  # mobile-length: the middle four (or more) are hidden
        assert len(masked) - len(shown) >= 4
    else:  # short numbers show only their last four
        assert shown == list(normalize_phone(digits)[-4:])


@given(st.text(min_size=2, max_size=10).filter(lambda s: s.strip() == s and len(s) >= 2))
def test_names_keep_only_the_first_character(name):
    masked = mask_name(name)
    assert masked[0] == name[0] and set(masked[1:]) == {"*"} and len(masked) == len(name)


@pytest.mark.parametrize(
    ("value", "masked"),
    [("a@b.cn", "a*@b.cn"), ("@b.cn", "*@b.cn"), ("张三", "张*"), ("", "")],
)
def test_mask_email_edge_cases(value, masked):
    assert mask_email(value) == masked


@given(st.text(max_size=40))
def test_addresses_show_at_most_six_characters(address):
    masked = mask_address(address)
    assert len(masked.replace("*", "")) <= 6
    assert mask("address", address) == masked
