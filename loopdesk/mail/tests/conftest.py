"""Fixtures for email tests: real messages built with the standard library, and the shared corpus."""

from __future__ import annotations

import os
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.utils import timezone

from loopdesk.mail.models import Mailbox
from loopdesk.testing import dovecot

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpora" / "email"


def corpus(name: str) -> bytes:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"the email corpus is not at {CORPUS}")
    return path.read_bytes()


def mail(
    subject: str = "洗衣机不脱水",
    body: str = "您好，洗衣机显示 E21，不脱水。",
    *,
    sender: str = "王芳 <wangfang@example.cn>",
    message_id: str | None = "<m1@example.cn>",
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@loopdesk.test"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def mailbox(db):
    return Mailbox.objects.create(
        name="售后邮箱", host="127.0.0.1", port=143, security="none", username="support@loopdesk.test",
        address="support@loopdesk.test",
    )  # fmt: skip


@pytest.fixture
def server():
    """A throwaway Dovecot on loopback (required in CI, where .ci/run installs it)."""
    if not dovecot.available():
        if os.environ.get("CI") == "true":
            pytest.fail("dovecot is required in CI (.ci/run installs dovecot-imapd)")
        pytest.skip("dovecot is not installed")
    with dovecot.DovecotServer() as running:
        yield running
