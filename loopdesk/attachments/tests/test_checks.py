"""Which files may be kept: size, allowlist, active content, magic bytes. Pure."""

import pytest

from loopdesk.attachments.checks import MAX_FILE_BYTES, check_file

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
ZIP = b"PK\x03\x04" + b"\0" * 40


@pytest.mark.parametrize(
    ("name", "head", "ok", "reason"),
    [
        ("照片.png", PNG, True, ""),
        ("发票.PDF", PDF, True, ""),
        ("日志.txt", "错误代码 E21\n".encode(), True, ""),
        ("report.docx", ZIP, True, ""),
        ("photo.jpg", PDF, False, "content_mismatch"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>", False, "content_mismatch"),
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00", False, "content_mismatch"),
        ("page.html", b"<html>", False, "active_content"),
        ("image.svg", b"<svg onload=alert(1)>", False, "active_content"),
        ("invoice.pdf.exe", b"MZ", False, "active_content"),
        ("photo.php.jpg", PNG, False, "active_content"),
        (".htaccess", b"x", False, "active_content"),
        ("archive.iso", b"x", False, "not_allowed"),
        ("noextension", b"x", False, "not_allowed"),
    ],
)
def test_files_are_checked_by_name_and_content(name, head, ok, reason):
    verdict = check_file(name, head, len(head))
    assert (verdict.ok, verdict.reason) == (ok, reason)


def test_the_served_type_is_ours_not_the_senders():
    assert check_file("a.png", PNG, 40).content_type == "image/png"
    assert check_file("a.txt", b"hi", 2).content_type == "text/plain; charset=utf-8"


def test_the_size_limit_is_named():
    assert check_file("big.png", PNG, MAX_FILE_BYTES + 1).reason == "too_large"
