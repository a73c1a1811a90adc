"""Large attachments are decoded straight from the raw bytes, with the same result as the standard path. Pure."""

import os
from email.message import EmailMessage

from loopdesk.mail.parsing import parse_message


def message_with(payload: bytes, *, filename: str = "big.bin") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "王芳 <wangfang@example.cn>"
    message["Subject"] = "大附件"
    message.set_content("见附件")
    message.add_attachment(payload, maintype="application", subtype="octet-stream", filename=filename)
    return message


def test_a_large_attachment_comes_out_byte_for_byte():
    payload = os.urandom(3 * 1024 * 1024)
    parsed = parse_message(message_with(payload).as_bytes())
    assert [a.content for a in parsed.attachments] == [payload]
    assert parsed.text.strip() == "见附件" and parsed.subject == "大附件"


def test_a_large_attachment_inside_a_forwarded_message_is_kept_whole():
    payload = os.urandom(2 * 1024 * 1024)
    outer = EmailMessage()
    outer["From"] = "li@example.cn"
    outer["Subject"] = "Fwd: 大附件"
    outer.set_content("转发")
    outer.add_attachment(message_with(payload))
    parsed = parse_message(outer.as_bytes())
    (forwarded,) = [a for a in parsed.attachments if a.content_type == "message/rfc822"]
    inner = parse_message(forwarded.content)
    assert [a.content for a in inner.attachments] == [payload]


def test_base64_looking_text_that_is_not_declared_base64_is_left_alone():
    block = ("QUJD" * 19 + "\n") * 3000  # 3,000 lines that look like base64, in a plain text part
    message = EmailMessage()
    message["From"] = "li@example.cn"
    message["Subject"] = "日志"
    message.set_content("日志如下：\n" + block, cte="8bit")
    message.add_attachment(os.urandom(1024 * 1024), maintype="application", subtype="octet-stream", filename="a.bin")
    parsed = parse_message(message.as_bytes())
    assert parsed.text.startswith("日志如下：") and "QUJD" * 19 in parsed.text and "LOOPDESKBLOCK" not in parsed.text
