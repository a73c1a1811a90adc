"""Tests for parse_message against the real email corpus and hand-built edge cases."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from loopdesk.mail.parsing import Attachment, ParsedMessage, parse_message

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpora" / "email"
CORPUS_FILES = sorted(CORPUS.glob("*/*.eml")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"email corpus not found at {CORPUS}")

MOJIBAKE_MARKERS = ("\ufffd", "Ã", "Â", "æ", "è¯", "锟斤拷", "浣", "鍙", "涓")


def parse(relative: str) -> ParsedMessage:
    return parse_message((CORPUS / relative).read_bytes())


# --------------------------------------------------------------------------- (1) whole corpus


@needs_corpus
def test_corpus_is_complete():
    assert len(CORPUS_FILES) == 192


@needs_corpus
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_parses(path):
    message = parse_message(path.read_bytes())
    assert isinstance(message, ParsedMessage)
    assert isinstance(message.subject, str)
    assert all(isinstance(a, Attachment) for a in message.attachments)
    assert len(message.to) <= 100
    assert len(message.cc) <= 100
    assert message.from_address == message.from_address.lower()
    assert "<" not in message.message_id
    assert message.date is None or message.date.tzinfo is not None


# --------------------------------------------------------------------------- (2) CJK subjects and bodies

CJK_EXPECTED = {
    "demisto__chinese_big5_encoding.eml": ("Hello from China", "圖形碼"),
    "demisto__chinese_email_test.eml": ("示例邮件", "这是一个示例邮件，用于演示指定的条件。"),
    "demisto__chinese_gb2312_encoding.eml": ("Greeting in Chinese", "你好，我是程序员，很高兴认识你"),
    "demisto__chinese_gbk_encoding.eml": ("Hello from China", "你好，中国"),
    "demisto__chinese_iso_2022_jp_encoding.eml": ("Hello from China", "中文字"),
    "emlparsejs__unicode.eml": (
        "Off-The-Beaten-Path Trails You've Never Heard Of!  🌏",
        "コピーボタンをクリックすると",
    ),
    "enmime__chardet-success-big-5.raw.eml": ("", "夫九州之人，言語不同，生民已來，固常然矣。"),
    "mikelmail__content_transfer_encoding_empty.eml": (
        "4d8119\u3000(大補泡麵專賣) 大家說英語 每日聽MP3 (2004年6月份) 繁體中文光碟版 (英語教學)\u30008afb90",
        "軟體帝國更新迅速",
    ),
    "mikelmail__japanese_attachment.eml": ("testing", "testing"),
    "mikelmail__japanese_attachment_long_name.eml": ("まみむめも" * 10, ""),
    "mikelmail__japanese_iso_2022.eml": ("まみむめも", "すみません。"),
    "mikelmail__ks_c_5601-1987.eml": ("test", "스티해"),
    "mikelmail__raw_email.eml": ("NOTE: 한국말로 하는 것", "대부분의 마찬가지로, 우리는 하나님을 믿습니다."),
    "mikelmail__raw_email_with_partially_quoted_subject.eml": (
        'Re: Test: "漢字" mid "漢字" tail',
        "제 이름은 Jamis입니다.",
    ),
    "mimekit__japanese.txt.eml": ("日本語メールテスト (testing Japanese emails)", "日本語が\n正常に\n送れているか"),
    "spamassassin__big5-base64.1.eml": (
        "[SLAT-talk] 鉅靡6月17日新片又到.如有重複寄發.敬請原諒!．．．．．．鉅靡6月17日新片又到.如有重複寄發.敬請原諒!．．．",
        "最新資訊的軟體泡麵站！",
    ),
    "spamassassin__gb2312.1.eml": (
        "全新原装进口，送货上门，货到付款－台湾鑫龙商贸集团公司向您拜年!",
        "本公司长期经销电脑配件、手机、笔记本意在贵地寻找合作销售伙伴",
    ),
    "spamassassin__gb2312.2.eml": ("RE: 装硬碟问题", "假设你的硬碟是IDE介面(不是SCSI)"),
    "spamassassin__iso-2022-jp.1.eml": ("MIME text/plain attach with Shift_JIS (CP932)", "Now, I try to test"),
    "spamassassin__iso-2022-jp.2.eml": (
        "[ports-jp 8947] Re: ipv6 & ruby",
        ">ああ、心当たりがあります。たぶん、この前のsshと同じ問題です。",
    ),
    "spamassassin__t_data_spam_unicode2.eml": (
        "外贸客户开发，势在必行",
        "WhatsApp目前已经是国外最火的即时聊天通讯软件",
    ),
    "spamassassin__unicode1.eml": ("Domače omrežje", ""),
    "spamassassin__unicode2.eml": (
        "【重要訊息】台電105年3月電費，委託金融機構扣繳成功電子繳費憑證(電號07487616730)",
        "test",
    ),
    "spamassassin__utf16.eml": ("Design and manufacturing", "Dear potencial partner"),
    "spamscope__mail_test_12.eml": ("代开各地增值税发票", "你好！我公司可代开各类增值税发票，17%专用发票，3%普通发票"),
    "webklex__gbk_charset.eml": ("Nuu", "Hi"),
    "webklex__issue-410.eml": (
        "☆第132号\u3000「ガーデン&エクステリア」専門店のためのＱ&Ａサロン\u3000【月刊エクステリア・ワーク】",
        "",
    ),
    "webklex__ks_c_5601-1987_headers.eml": ("RE: 회원님께 Ersi님이 메시지를 보냈습니다.", "Content"),
}


@needs_corpus
def test_cjk_table_covers_the_folder():
    assert {p.name for p in (CORPUS / "cjk").glob("*.eml")} == set(CJK_EXPECTED)


@needs_corpus
@pytest.mark.parametrize(("name", "expected"), sorted(CJK_EXPECTED.items()))
def test_cjk_subject_and_body(name, expected):
    subject, snippet = expected
    message = parse(f"cjk/{name}")
    assert message.subject == subject
    assert snippet in message.text
    for marker in MOJIBAKE_MARKERS:
        assert marker not in message.subject
    assert not message.encoding_problem


@needs_corpus
def test_cjk_from_names():
    assert parse("cjk/spamassassin__gb2312.1.eml").from_name == "台湾鑫龙商贸集团公司"
    assert parse("cjk/spamassassin__gb2312.2.eml").from_name == "Jason Lee (李展锋)"
    assert parse("cjk/spamscope__mail_test_12.eml").from_name == "张先生"
    assert parse("cjk/webklex__ks_c_5601-1987_headers.eml").from_name == "김 현진"


@needs_corpus
def test_gb2312_label_on_utf8_body_is_not_mojibake():
    text = parse("cjk/spamscope__mail_test_12.eml").text
    assert text.startswith("你好！我公司可代开各类增值税发票")
    for marker in MOJIBAKE_MARKERS:
        assert marker not in text


@needs_corpus
def test_big5_html_only_body_becomes_text_and_keeps_html():
    message = parse("cjk/spamassassin__big5-base64.1.eml")
    assert "永久網址：gimit.cn.st或gimit99.iscool.net" in message.text
    assert "<html>" in message.html
    assert "軟體泡麵站" in message.html


# --------------------------------------------------------------------------- (3) attachment names

ATTACHMENT_NAMES = {
    "attachments/enmime__mime-bad-8bit-filename.raw.eml": ["管理.doc"],
    "attachments/mikelmail__attachment_nonascii_filename.eml": ["ciële.txt"],
    "attachments/mikelmail__attachment_with_quoted_filename.eml": ["Eelanalüüsi päring.jpg"],
    "attachments/mikelmail__attachment_with_base64_encoded_name.eml": ["This is a test.pdf"],
    "attachments/mikelmail__attachment_with_unquoted_name.eml": ["This is a test.txt"],
    "attachments/zbateson__m3004.txt.eml": ["HasenundFrösche.txt"],
    "attachments/webklex__attachment_encoded_filename.eml": ["Prostřeno_2014_poslední volné termíny.xls"],
    "attachments/webklex__attachment_no_disposition.eml": ["Prostřeno_2014_poslední volné termíny.xls"],
    "attachments/webklex__attachment_long_filename.eml": [
        "Buchungsbestätigung- Rechnung-Geschäftsbedingungen-Nr.B123-45 - XXXXX xxxxxxxxxxxxxxxxx XxxX, "
        "Lüxxxxxxxxxx - VM Klaus XXXXXX - xxxxxxxx.pdf",
        "01_A€àä????@Z-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz"
        "-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz.txt",
        "02_A€àäąбيد@Z-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz"
        "-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz.txt",
    ],
    "attachments/nodemailer__nodemailer.eml": ["attachment", "image.png", "nyan cat ✔.gif", "notes.txt"],
    "attachments/mikelmail__attachment_content_location.eml": ["attachment.jpg"],
    "attachments/enmime__inlinemultipart.raw.eml": ["test.pdf", "test.txt"],
    "attachments/webklex__plain_text_attachment.eml": ["a.txt"],
    "cjk/mikelmail__japanese_attachment.eml": ["てすと.txt"],
    "cjk/mikelmail__japanese_attachment_long_name.eml": ["かきくけこ" * 5 + ".txt"],
    "cjk/spamassassin__unicode1.eml": ["документы для отдела кадров.pdf"],
    "cjk/spamassassin__iso-2022-jp.1.eml": ["test-sjis.txt", "test-archive.txt"],
    "malformed/enmime__mime-unquoted-tspecials-param.raw.eml": ["Invoice_(302232133150612).pdf"],
}


@needs_corpus
@pytest.mark.parametrize(("relative", "names"), sorted(ATTACHMENT_NAMES.items()))
def test_attachment_filenames(relative, names):
    if not (CORPUS / relative).exists():
        pytest.skip(f"{relative} not in corpus")
    assert [a.filename for a in parse(relative).attachments] == names


@needs_corpus
def test_inline_image_has_content_id_and_bytes():
    message = parse("attachments/nodemailer__nodemailer.eml")
    image = next(a for a in message.attachments if a.filename == "image.png")
    assert image.content_id == "note@example.com"
    assert image.content_type == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert 'src="cid:note@example.com"' in message.html


@needs_corpus
def test_forwarded_message_is_an_eml_attachment():
    message = parse("forwarded_nested/webklex__embedded_email.eml")
    assert message.text == "email that contains embedded message"
    (forwarded,) = message.attachments
    assert forwarded.filename == "demo.eml"
    assert forwarded.content_type == "message/rfc822"
    assert b"Subject:" in forwarded.content
    inner = parse_message(forwarded.content)
    assert inner.subject


@needs_corpus
def test_attachment_bytes_are_decoded():
    message = parse("attachments/zbateson__m3004.txt.eml")
    (story,) = message.attachments
    assert story.content_type == "text/plain"
    assert "Frösche".encode("latin-1") in story.content


# --------------------------------------------------------------------------- (4) HTML-only mail

HTML_ONLY_EMPTY = {"demisto__eml_contains_htm_content_type.eml"}  # its HTML part is literally "<html></html>"


@needs_corpus
@pytest.mark.parametrize("path", sorted((CORPUS / "html_only").glob("*.eml")), ids=lambda p: p.name)
def test_html_only_has_text_and_html(path):
    message = parse_message(path.read_bytes())
    assert message.html.strip()
    if path.name in HTML_ONLY_EMPTY:
        assert message.html.strip() == "<html></html>"
        assert message.text == ""
    else:
        assert message.text.strip()
        assert "<html" not in message.text.lower()
        assert "<body" not in message.text.lower()


@needs_corpus
def test_html_only_text_is_readable():
    message = parse("html_only/mimekit__body.2.txt.eml")
    assert message.text == "This is an html body."


# --------------------------------------------------------------------------- (5) auto replies, bounces, threading

AUTO_KIND = {
    "enmime__delayed_dsn.raw.eml": "bounce",
    "enmime__simple_dsn.raw.eml": "bounce",
    "flanker__aol.eml": "bounce",  # ARF complaint (report-type=feedback-report)
    "flanker__delayed.eml": "bounce",
    "flanker__gmail-invalid-address.eml": "bounce",  # no DSN part: MAILER-DAEMON + X-Failed-Recipients
    "flanker__mailbox-full.eml": "bounce",
    "flanker__zed.eml": "bounce",
    "mikelmail__multi_address_bounce1.eml": "bounce",
    "mikelmail__report_422.eml": "bounce",
    "nodemailer__delivery-status.eml": "bounce",
    "sisimai__arf-01.eml": "bounce",
    "sisimai__is-not-bounce-01.eml": "",  # control: ordinary mail
    "sisimai__is-not-bounce-02.eml": "",  # control: ordinary mail with a message/rfc822 attachment
    "sisimai__lhost-exim-01.eml": "bounce",
    "sisimai__lhost-gmail-01.eml": "bounce",
    "sisimai__lhost-office365-01.eml": "bounce",  # also Precedence: bulk; bounce wins
    "sisimai__lhost-postfix-01.eml": "bounce",
    "sisimai__lhost-qmail-01.eml": "bounce",  # "failure notice" from MAILER-DAEMON, no DSN
    "sisimai__lhost-sendmail-01.eml": "bounce",
    "sisimai__lhost-yahoo-01.eml": "bounce",
    "sisimai__rfc3464-01.eml": "bounce",
    "sisimai__rfc3834-01.eml": "auto_reply",  # Auto-Submitted: auto-replied
    "sisimai__rfc3834-02.eml": "auto_reply",  # "Automatic reply:" subject
    "sisimai__rfc3834-03.eml": "auto_reply",  # "Auto reply:" subject
    "sisimai__rfc3834-04.eml": "auto_reply",
    "sisimai__rfc3834-05.eml": "auto_reply",
    "sisimai__rfc3834-06.eml": "auto_reply",  # also Precedence: bulk; auto_reply wins
    "sisimai__rhost-tencent-01.eml": "bounce",
    "sisimai__rhost-tencent-02.eml": "bounce",
    "sisimai__rhost-tencent-03.eml": "bounce",
    "webklex__example_bounce.eml": "bounce",
}


@needs_corpus
def test_auto_kind_table_covers_the_folder():
    assert {p.name for p in (CORPUS / "bounces_autoreplies").glob("*.eml")} == set(AUTO_KIND)


@needs_corpus
@pytest.mark.parametrize(("name", "kind"), sorted(AUTO_KIND.items()))
def test_auto_kind(name, kind):
    assert parse(f"bounces_autoreplies/{name}").auto_kind == kind


@needs_corpus
@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("clients/webklex__thread_my_topic.eml", ""),
        ("cjk/spamassassin__gb2312.1.eml", ""),
        ("html_only/rspamd__newsletter.eml", "bulk"),
        ("clients/flanker__disposition-notification.eml", "auto_reply"),
    ],
)
def test_auto_kind_outside_the_bounce_folder(relative, kind):
    assert parse(relative).auto_kind == kind


def _headers_only(headers: str, body: str = "hello\r\n") -> bytes:
    return (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body).encode("utf-8")


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ("From: a@example.com\nSubject: hi\nX-Auto-Response-Suppress: All", ""),
        ("From: a@example.com\nSubject: hi\nAuto-Submitted: no", ""),
        ("From: a@example.com\nSubject: hi\nAuto-Submitted: auto-generated", "auto_reply"),
        ("From: a@example.com\nSubject: hi\nX-Autoreply: yes", "auto_reply"),
        ("From: a@example.com\nSubject: hi\nX-Autorespond: yes", "auto_reply"),
        ("From: a@example.com\nSubject: hi\nPrecedence: auto_reply", "auto_reply"),
        ("From: a@example.com\nSubject: =?UTF-8?B?6Ieq5Yqo5Zue5aSNOiDkvaDlpb0=?=", "auto_reply"),
        ("From: a@example.com\nSubject: Out of Office: back Monday", "auto_reply"),
        ("From: a@example.com\nSubject: Auto: hi", "auto_reply"),
        ("From: a@example.com\nSubject: hi\nPrecedence: bulk", "bulk"),
        ("From: a@example.com\nSubject: hi\nPrecedence: junk", "bulk"),
        ("From: a@example.com\nSubject: hi\nPrecedence: list", "bulk"),
        ("From: a@example.com\nSubject: hi\nList-Id: <list.example.com>", "bulk"),
        ("From: postmaster@qq.com\nSubject: =?UTF-8?B?57O757uf6YCA5L+h?=", "bounce"),
        ("From: postmaster@example.com\nSubject: Undeliverable: hi", "bounce"),
        ("From: postmaster@example.com\nSubject: question about billing", ""),
        ("From: MAILER-DAEMON@example.com\nSubject: anything", "bounce"),
    ],
)
def test_auto_kind_headers(headers, kind):
    assert parse_message(_headers_only(headers)).auto_kind == kind


@needs_corpus
@pytest.mark.parametrize(
    ("relative", "message_id", "in_reply_to", "references"),
    [
        (
            "clients/webklex__references.eml",
            "123@example.com",
            ("b9e87bd5e661a645ed6e3b832828fcc5@example.com",),
            ("231d9ac57aec7d8c1a0eacfeab8af6f3@example.com", "08F04024-A5B3-4FDE-BF2C-6710DE97D8D9@example.com"),
        ),
        ("clients/webklex__thread_my_topic.eml", "123@example.com", (), ()),
        ("clients/webklex__thread_re_my_topic.eml", "456@example.com", ("123@example.com",), ()),
        (
            "clients/mimekit__issue358.txt.eml",
            None,
            ("5185e377-81c5-4361-91ba-11d42f4c5cc9@AM5EUR02FT056.eop-EUR02.prod.protection.outlook.com",),
            (
                "AM4PR01MB1444920F2AF5B6F4856FEA13F7290@AM4PR01MB1444.eurprd01.prod.exchangelabs.com",
                "5185e377-81c5-4361-91ba-11d42f4c5cc9@AM5EUR02FT056.eop-EUR02.prod.protection.outlook.com",
            ),
        ),
        (
            "cjk/spamassassin__iso-2022-jp.2.eml",
            "200002201307.WAA10556@prince.net.ebina.hitachi.co.jp",
            ("20149.950850047@lychee.itojun.org",),
            ("200002180440.NAA74451@prince.net.ebina.hitachi.co.jp", "20149.950850047@lychee.itojun.org"),
        ),
    ],
)
def test_threading_headers(relative, message_id, in_reply_to, references):
    message = parse(relative)
    if message_id is not None:
        assert message.message_id == message_id
    assert message.in_reply_to == in_reply_to
    assert message.references == references


def test_threading_headers_folded_and_in_order():
    raw = _headers_only(
        "From: a@example.com\nMessage-ID: <new@x>\nIn-Reply-To: <p3@x>\nReferences: <p1@x>\n <p2@x>\t<p3@x>\n <p1@x>"
    )
    message = parse_message(raw)
    assert message.message_id == "new@x"
    assert message.in_reply_to == ("p3@x",)
    assert message.references == ("p1@x", "p2@x", "p3@x")


# --------------------------------------------------------------------------- (6) structure limits


def _nested(depth: int) -> bytes:
    lines = ["From: a@example.com", "Subject: deep", "MIME-Version: 1.0"]
    for level in range(depth):
        lines += [f'Content-Type: multipart/mixed; boundary="b{level}"', "", f"--b{level}"]
    lines += ["Content-Type: text/plain; charset=utf-8", "", "deepest text"]
    for level in reversed(range(depth)):
        lines += [f"--b{level}--"]
    return "\r\n".join(lines).encode()


def test_thirty_nested_multiparts_record_a_defect():
    message = parse_message(_nested(30))
    assert message.subject == "deep"
    assert any("nesting" in d for d in message.defects)
    assert "deepest text" not in message.text


def test_pathological_nesting_keeps_headers():
    message = parse_message(_nested(3000))
    assert message.subject == "deep"
    assert message.from_address == "a@example.com"
    assert any(d.startswith("parse failed") for d in message.defects)


def test_nesting_within_the_limit_is_read():
    message = parse_message(_nested(10))
    assert message.text.strip() == "deepest text"
    assert not any("nesting" in d for d in message.defects)


def test_long_body_is_truncated_with_a_defect():
    raw = _headers_only("From: a@example.com\nSubject: big\nContent-Type: text/plain; charset=utf-8", "中" * 5000)
    message = parse_message(raw, max_body_chars=1000)
    assert message.text == "中" * 1000
    assert "truncated" in message.defects


def test_recipients_are_capped_at_100():
    to = ", ".join(f"user{i}@example.com" for i in range(150))
    message = parse_message(_headers_only(f"From: a@example.com\nTo: {to}\nCc: C@Example.com"))
    assert len(message.to) == 100
    assert message.to[0] == "user0@example.com"
    assert message.cc == ("c@example.com",)
    assert any("recipients" in d for d in message.defects)


def test_empty_input():
    assert parse_message(b"").defects == ("empty",)
    assert parse_message(b"  \r\n").defects == ("empty",)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\xff\xfe" * 100,
        b"Content-Type: multipart/mixed\r\n\r\n--\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n--x--",
        b"Subject: =?utf-8?B?\r\nFrom: <<<>>>\r\nDate: Mon, 99 Foo 99999 99:99:99\r\n\r\nbody",
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!",
        b"Content-Type: text/plain; charset*=utf-8''%E4%B8; name*0*=x''%FF; name*1=\"y\r\n\r\nx",
    ],
)
def test_garbage_never_raises(raw):
    assert isinstance(parse_message(raw), ParsedMessage)


def test_broken_base64_padding_in_body():
    body = "你好，世界".encode()
    import base64

    encoded = base64.b64encode(body).decode().rstrip("=")
    raw = _headers_only(
        "From: a@example.com\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64", encoded
    )
    assert parse_message(raw).text == "你好，世界"


def test_raw_8bit_subject_uses_body_charset():
    raw = (
        b"From: a@example.com\r\nSubject: "
        + "台湾鑫龙商贸".encode("gb2312")
        + b"\r\nContent-Type: text/plain; charset=gb2312\r\n\r\n"
        + "正文".encode("gb2312")
    )
    message = parse_message(raw)
    assert message.subject == "台湾鑫龙商贸"
    assert message.text == "正文"


def test_alternative_prefers_plain_for_text_and_keeps_html():
    raw = _headers_only(
        'From: a@example.com\nContent-Type: multipart/alternative; boundary="alt"',
        "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain version\r\n"
        "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html version</p>\r\n--alt--\r\n",
    )
    message = parse_message(raw)
    assert message.text.strip() == "plain version"
    assert message.html.strip() == "<p>html version</p>"
    assert message.attachments == ()


def test_named_text_part_after_the_body_is_an_attachment():
    raw = _headers_only(
        'From: a@example.com\nContent-Type: multipart/mixed; boundary="m"',
        "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
        '--m\r\nContent-Type: text/plain; name="notes.txt"\r\n\r\nnotes\r\n'
        '--m\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename="../../page.html"\r\n\r\n<b>x</b>\r\n'
        "--m--\r\n",
    )
    message = parse_message(raw)
    assert message.text.strip() == "body"
    assert message.html == ""
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("notes.txt", "text/plain"),
        ("page.html", "text/html"),
    ]


# --------------------------------------------------------------------------- (7) sender trust and dates


@pytest.mark.parametrize(
    ("from_header", "name", "address"),
    [
        ('"a@trusted.example" <x@evil.example>', "a@trusted.example", "x@evil.example"),
        ("Alice <Alice@Example.COM>", "Alice", "alice@example.com"),
        ("=?UTF-8?B?5byg5YWI55Sf?= <zhang@example.cn>", "张先生", "zhang@example.cn"),
        ("bob@example.com", "", "bob@example.com"),
        ("a@example.com, b@example.com", "", ""),
        ("alice@example.org)<bob@example.org>", "", ""),
        ("<<<>>>", "", ""),
        ("not an address", "", ""),
        ("Mallory <mallory@[127.0.0.1]>", "", ""),
    ],
)
def test_from_header(from_header, name, address):
    message = parse_message(_headers_only(f"From: {from_header}\nSubject: x"))
    assert message.from_address == address
    if address:
        assert message.from_name == name


def test_two_from_headers_with_different_addresses_are_refused():
    message = parse_message(_headers_only("From: a@example.com\nFrom: b@example.com"))
    assert message.from_address == ""


@needs_corpus
def test_corpus_unparseable_from():
    assert parse("malformed/webklex__missing_from.eml").from_address == ""
    assert parse("malformed/enmime__malformed-multiple-address-header-values.raw.eml").from_address == ""


def test_reply_to_and_dates():
    message = parse_message(
        _headers_only("From: a@example.com\nReply-To: Team <Team@Example.com>\nDate: Tue, 7 Jan 2003 13:26:53 +0800")
    )
    assert message.reply_to == "team@example.com"
    assert message.date == datetime(2003, 1, 7, 13, 26, 53, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(
    ("date_header", "expected"),
    [
        ("Tue, 7 Jan 2003 13:26:53 -0000", datetime(2003, 1, 7, 13, 26, 53, tzinfo=UTC)),
        ("7 Jan 2003 13:26:53", datetime(2003, 1, 7, 13, 26, 53, tzinfo=UTC)),
        ("yesterday", None),
        ("Mon, 99 Foo 99999 99:99:99 +9999", None),
    ],
)
def test_date_parsing(date_header, expected):
    message = parse_message(_headers_only(f"From: a@example.com\nDate: {date_header}"))
    assert message.date == expected
    if message.date is not None:
        assert message.date.tzinfo is not None
