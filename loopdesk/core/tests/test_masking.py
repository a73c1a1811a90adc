"""Masking for display: table-driven, plus properties that no clear middle digits survive."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.core.masking import mask_address, mask_email, mask_name, mask_phone, normalize_phone


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
