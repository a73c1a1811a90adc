"""Tests for charset, header, parameter and filename decoding and the HTML helpers."""

import base64
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdesk.mail.decoding import (
    CHARSET_SUPERSETS,
    decode_bytes,
    decode_header,
    decode_param,
    normalize_charset,
    safe_filename,
)
from loopdesk.mail.htmltext import html_to_text, sanitize_html

# --------------------------------------------------------------------------- normalize_charset


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("gb2312", "gb18030"),
        ("GB2312", "gb18030"),
        ('"GBK"', "gb18030"),
        (" x-gbk ", "gb18030"),
        ("X-GBK", "gb18030"),
        ("cp936", "gb18030"),
        ("euc-cn", "gb18030"),
        ("csgb2312", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ("gb18030", "gb18030"),
        ("ks_c_5601-1987", "cp949"),
        ("EUC-KR", "cp949"),
        ("Shift_JIS", "cp932"),
        ("x-sjis", "cp932"),
        ("big5", "big5hkscs"),
        ("x-big5", "big5hkscs"),
        ("iso-8859-1", "windows-1252"),
        ("ISO8859_1", "windows-1252"),
        ("latin1", "windows-1252"),
        ("us-ascii", "windows-1252"),
        ("ascii", "windows-1252"),
        ("utf8", "utf-8"),
        ("UTF-8", "utf-8"),
        ("utf-8*sl", "utf-8"),
        ("iso-2022-jp", "iso2022_jp"),
        ("windows-1251", "cp1251"),
        ("utf-7", None),
        ("UTF7", None),
        ("unicode-1-1-utf-7", None),
        ("x-unknown", None),
        ("unknown-8bit", None),
        ("x-ias-german", None),
        ("base64", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_charset(label, expected):
    assert normalize_charset(label) == expected


def test_every_superset_value_is_a_working_codec():
    for label, superset in CHARSET_SUPERSETS.items():
        assert normalize_charset(label) == superset
        assert "test".encode(superset) == b"test"


# --------------------------------------------------------------------------- decode_bytes


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        # GB2312 label on GBK-only characters (镕 喆 珺 〇): the superset decodes them.
        ("朱镕基 喆 珺 〇".encode("gbk"), "gb2312", "朱镕基 喆 珺 〇"),
        ("朱镕基".encode("gb18030"), "GB2312", "朱镕基"),
        ("你好，中国".encode("gbk"), "x-gbk", "你好，中国"),
        # gb2312 label on UTF-8 bytes (decoding them as GB18030 "succeeds" with mojibake).
        ("中文标题，谢谢".encode(), "gb2312", "中文标题，谢谢"),
        # us-ascii label on Big5 bytes.
        (
            "顏之推 卷第七 音辭第十八 夫九州之人，言語不同".encode("big5"),
            "us-ascii",
            "顏之推 卷第七 音辭第十八 夫九州之人，言語不同",
        ),
        # us-ascii / windows-1252 label on UTF-8.
        ("Grüße aus Köln".encode(), "us-ascii", "Grüße aus Köln"),
        ("Grüße aus Köln".encode(), "windows-1252", "Grüße aus Köln"),
        # Single-byte labels that are right stay right.
        ("Grüße".encode("latin-1"), "iso-8859-1", "Grüße"),
        ("“quoted” – €".encode("cp1252"), "iso-8859-1", "“quoted” – €"),
        # Labelled utf-8 but really GBK: the fallback list is tried.
        ("装硬碟问题".encode("gbk"), "utf-8", "装硬碟问题"),
        # Unknown charset label.
        ("你好，世界".encode("gbk"), "x-made-up", "你好，世界"),
        ("你好，世界".encode(), "x-made-up", "你好，世界"),
        # No label at all.
        ("简体中文测试".encode("gb18030"), None, "简体中文测试"),
        ("日本語".encode("euc_jp"), "iso-2022-jp", "日本語"),
        ("한국말".encode("euc-kr"), "ks_c_5601-1987", "한국말"),
        ("plain ascii", "utf-7", "plain ascii"),
        (b"", "utf-8", ""),
    ],
)
def test_decode_bytes(data, declared, expected):
    data = data if isinstance(data, bytes) else data.encode()
    text, problem = decode_bytes(data, declared)
    assert text == expected
    assert problem is False


def test_decode_bytes_refuses_utf7():
    payload = b"+ADw-script+AD4-alert(1)+ADw-/script+AD4-"
    text, _problem = decode_bytes(payload, "utf-7")
    assert "<script>" not in text
    assert text == payload.decode("ascii")


def test_decode_bytes_undecodable_sets_problem_flag():
    data = b"\xff\xfe\xff\x80\x80\xff" * 4
    text, problem = decode_bytes(data, "utf-8", fallbacks=("utf-8",))
    assert problem is True or "\ufffd" not in text


def test_decode_bytes_mostly_valid_declared_charset_keeps_text_and_flags():
    data = "平均每10日就更新！".encode("big5") + b"\xff"
    text, problem = decode_bytes(data, "big5")
    assert text.startswith("平均每10日就更新！")
    assert problem is True


def test_decode_bytes_repairs_big5_read_as_latin1_then_utf8():
    original = "軟體帝國更新迅速"
    mangled = original.encode("big5").decode("latin-1").encode("utf-8")
    assert decode_bytes(mangled, "big5") == (original, False)


# --------------------------------------------------------------------------- decode_header


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # GB2312 "装硬碟问题" split inside the second character across two B words.
        ("=?GB2312?B?17DT?= =?GB2312?B?srX6zsrM4g==?=", "装硬碟问题"),
        # Q words split inside a character, folded onto the next line.
        ("RE: =?GB2312?Q?=D7=B0=D3=B2=B5?=\r\n =?GB2312?Q?=FA=CE=CA=CC=E2?=", "RE: 装硬碟问题"),
        # GBK-only 镕 split across words with a gb2312 label.
        ("=?gb2312?B?1uzp?= =?gb2312?B?Rrv5?=", "朱镕基"),
        # UTF-8 B and Q split in the middle of a 3-byte sequence.
        ("=?UTF-8?B?5Lit5g==?=\t=?UTF-8?B?lofmoIfpopg=?=", "中文标题"),
        ("=?utf-8?Q?=E4=B8?= =?utf-8?Q?=AD=E6=96=87=E6=A0=87=E9=A2=98?=", "中文标题"),
        # Bogus x-gbk label and lowercase charset/encoding.
        ("=?x-gbk?B?hrSsQg==?=", "喆珺"),
        ("=?gb2312?b?xOO6ww==?=", "你好"),
        # Mixed plain and encoded runs; whitespace between plain and encoded is kept.
        ("Re: Test: =?UTF-8?B?Iua8ouWtlyI=?= mid =?UTF-8?B?Iua8ouWtlyI=?= tail", 'Re: Test: "漢字" mid "漢字" tail'),
        # Q underscore is a space.
        ("=?EUC-KR?Q?NOTE:_=C7=D1=B1=B9=B8=BB=B7=CE_=C7=CF=B4=C2_=B0=CD?=", "NOTE: 한국말로 하는 것"),
        # Different charsets next to each other are decoded separately, whitespace dropped.
        ("=?iso-8859-2*sl?Q?Doma=e8e?=\r\n  =?utf-8*sl?Q?_omre=C5?=     =?Utf-8*SL?q?=BEje?=", "Domače omrežje"),
        ("=?utf-16?B?RABlAHMAaQBnAG4A?=", "Design"),
        ("=?ks_c_5601-1987?B?yLi/+LTUsrI=?=", "회원님께"),
        # Broken base64 padding.
        ("=?UTF-8?B?5Lit5paHIQ?=", "中文!"),
        ("=?UTF-8?B?5Lit5paHIQ=?=", "中文!"),
        ("=?UTF-8?B?5Lit5paHIQ===?=", "中文!"),
        ("=?NONE?B?VEVTVA=?=", "TEST"),
        ("plain subject", "plain subject"),
        ("", ""),
    ],
)
def test_decode_header(value, expected):
    text, problem = decode_header(value)
    assert text == expected
    assert problem is False


@pytest.mark.parametrize(
    ("raw", "fallback", "expected"),
    [
        ("全新原装进口，送货上门".encode("gb2312"), "gb18030", "全新原装进口，送货上门"),
        ("朱镕基 珺".encode("gb18030"), "gb2312", "朱镕基 珺"),
        ("鉅靡6月17日新片又到".encode("big5"), "big5", "鉅靡6月17日新片又到"),
        ("示例邮件".encode(), "gb18030", "示例邮件"),
        ("Ingo Lütkebohle".encode("latin-1"), "gb18030", "Ingo Lütkebohle"),
        ("Jørn Støylen".encode("latin-1"), "iso-8859-1", "Jørn Støylen"),
    ],
)
def test_decode_header_raw_8bit(raw, fallback, expected):
    assert decode_header(raw, fallback=fallback) == (expected, False)
    as_compat32_str = raw.decode("ascii", "surrogateescape")
    assert decode_header(as_compat32_str, fallback=fallback) == (expected, False)


def test_decode_header_none():
    assert decode_header(None) == ("", False)


def test_decode_header_unknown_charset_still_decodes_utf8():
    assert decode_header("=?x-unknown?B?" + _b64("测试".encode()) + "?=") == ("测试", False)


# --------------------------------------------------------------------------- decode_param


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (("iso-8859-1", "", "HasenundFr\xf6sche.txt"), "HasenundFrösche.txt"),
        (("utf-8", "", "\xe7\xae\xa1\xe7\x90\x86.doc"), "管理.doc"),
        (("gb2312", "zh", "\xd6\xec\xe9\x46.txt"), "朱镕.txt"),
        (("x-gbk", None, "\xc4\xe3\xba\xc3.pdf"), "你好.pdf"),
        ("=?UTF-8?B?44Gm44GZ44GoLnR4dA==?=", "てすと.txt"),
        ('"=?GB2312?B?17DT?= =?GB2312?B?srX6zsrM4g==?=.doc"', "装硬碟问题.doc"),
        ("\udcb9\udcdc\udcc0\udced.doc", "管理.doc"),
        ("plain.txt", "plain.txt"),
        (None, ""),
    ],
)
def test_decode_param(value, expected):
    assert decode_param(value) == (expected, False)


# --------------------------------------------------------------------------- safe_filename


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\y.txt", "y.txt"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("a\u2066b\u2069c\u202a.txt", "abc.txt"),
        ("bad\x00na\x07me\r\n.txt", "badname.txt"),
        ("line\u2028sep\u2029x\u0085.txt", "linesepx.txt"),
        ("..hidden", "hidden"),
        ("  . spaced.txt  ", "spaced.txt"),
        ("e\u0301te\u0301.txt", "été.txt"),
        ("报告.docx", "报告.docx"),
        ("", "attachment"),
        (None, "attachment"),
        ("...", "attachment"),
        ("../", "attachment"),
        ("\u202e\u202d", "attachment"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_long_chinese_name_keeps_extension():
    name = "汉" * 100 + ".pdf"
    assert len(name.encode()) == 304
    result = safe_filename(name)
    assert result.endswith(".pdf")
    assert len(result.encode()) <= 255
    assert result == "汉" * 83 + ".pdf"


def test_safe_filename_long_name_without_extension():
    result = safe_filename("x" * 400)
    assert result == "x" * 255


_FORBIDDEN = set("/\\\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\u0085")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(), st.text(alphabet=st.characters(codec=None), max_size=400)))
def test_safe_filename_property(name):
    result = safe_filename(name)
    assert result
    assert len(result.encode("utf-8")) <= 255
    assert not (set(result) & _FORBIDDEN)
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in result)
    assert result == result.lstrip(". ")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.binary(max_size=300), st.text(max_size=300)))
def test_decode_header_never_raises(value):
    text, problem = decode_header(value)
    assert isinstance(text, str)
    assert isinstance(problem, bool)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["utf-8", "gb2312", "GBK", "big5", "x-bogus", "utf-7", "utf-16"]), st.binary(max_size=20)
        ),
        max_size=4,
    )
)
def test_decode_header_encoded_words_never_raise(words):
    value = " ".join(f"=?{charset}?B?{_b64(data)}?=" for charset, data in words)
    text, _problem = decode_header(value)
    assert isinstance(text, str)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([None, "utf-8", "gb2312", "us-ascii", "big5", "utf-16", "nonsense"]))
def test_decode_bytes_never_raises(data, declared):
    text, problem = decode_bytes(data, declared)
    assert isinstance(text, str)
    assert problem or "\ufffd" not in text or "\ufffd".encode() in data


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    ("html", "must_not_contain", "must_contain"),
    [
        ("<p>hi</p><script>alert(1)</script>", ["<script", "alert(1)"], ["<p>hi</p>"]),
        ('<img src="cid:logo@x" onerror="alert(1)">', ["onerror", "alert"], ['src="cid:logo@x"']),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"], [">x</a>"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "alert"], []),
        ('<a href="https://example.com/">x</a>', [], ['href="https://example.com/"', 'rel="noopener noreferrer"']),
        ('<a href="mailto:a@example.com">m</a>', [], ['href="mailto:a@example.com"']),
        ('<img src="http://tracker.example/p.gif">', ["tracker.example", "http:"], ["<img"]),
        ('<img src="https://tracker.example/p.gif">', ["tracker.example"], []),
        ('<img src="data:image/png;base64,iVBORw0KGgo=">', [], ['src="data:image/png;base64,iVBORw0KGgo="']),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>', ["data:"], []),
        ("<style>body{}</style><p>x</p>", ["<style", "body{}"], ["<p>x</p>"]),
        ('<iframe src="https://e.com"></iframe><object data="x"></object>', ["<iframe", "<object"], []),
        ('<form action="https://e.com"><input name="q"></form>', ["<form", "<input"], []),
        ('<div onclick="x()" onmouseover="y()">t</div>', ["onclick", "onmouseover"], ["<div>t</div>"]),
        ('<div style="color: red; background: url(http://t.example/x)">t</div>', ["url(", "t.example"], ["color"]),
        (
            "<table><tr><td>1</td></tr></table><ul><li>a</li></ul><b>b</b>",
            [],
            ["<table>", "<td>1</td>", "<li>a</li>", "<b>b</b>"],
        ),
        ("<p>你好，世界</p>", [], ["<p>你好，世界</p>"]),
    ],
)
def test_sanitize_html(html, must_not_contain, must_contain):
    cleaned = sanitize_html(html)
    for fragment in must_not_contain:
        assert fragment.lower() not in cleaned.lower()
    for fragment in must_contain:
        assert fragment in cleaned


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>你好</p><p>世界</p>", "你好\n\n世界"),
        ("line1<br>line2<br/>line3", "line1\nline2\nline3"),
        ("<html><head><title>T</title><style>p{color:red}</style></head><body>Body</body></html>", "Body"),
        ("<script>var a = 1;</script>text", "text"),
        ("a &amp; b &lt;c&gt; &#20013;&#25991; &nbsp;x", "a & b <c> 中文 x"),
        ("<div>  lots   of\n\n   space  </div>", "lots of space"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a\tb\nc\td"),
        ("<pre>x = 1\n    y = 2</pre>", "x = 1\n    y = 2"),
        ("", ""),
        ("<p>unclosed <b>bold", "unclosed bold"),
    ],
)
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_html_helpers_never_raise(html):
    assert isinstance(html_to_text(html), str)
    assert "<script" not in sanitize_html(html).lower()
