"""Files are kept under generated names and served only to those who see the ticket, as downloads."""

import os
from urllib.parse import quote

import pytest

from loopdesk.attachments.models import Attachment
from loopdesk.attachments.services import Incoming, keep_files
from loopdesk.testing.factories import UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.mark.django_db
def test_a_kept_file_has_a_generated_name_and_safe_download_headers(client, walk_ticket, supervisor):
    ticket = walk_ticket("new")
    (kept,), refused = keep_files(ticket, [Incoming("故障照片 1.png", PNG)])
    assert refused == []
    assert kept.file.name == f"{kept.pk.hex[:2]}/{kept.pk.hex}" and "故障" not in kept.file.path
    assert oct(os.stat(kept.file.path).st_mode & 0o777) == "0o640"
    client.force_login(supervisor)
    response = client.get(f"/tickets/{ticket.number}/files/{kept.pk}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=utf-8''{quote('故障照片 1.png')}" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    inline = client.get(f"/tickets/{ticket.number}/files/{kept.pk}?inline=1")
    assert inline["Content-Disposition"].startswith("inline;")


@pytest.mark.django_db
def test_someone_who_cannot_see_the_ticket_gets_404(client, walk_ticket):
    ticket = walk_ticket("new")
    (kept,), _ = keep_files(ticket, [Incoming("a.png", PNG)])
    outsider = UserFactory(username="outsider", role="engineer")
    outsider.department = None
    outsider.save()
    client.force_login(outsider)
    assert client.get(f"/tickets/{ticket.number}/files/{kept.pk}").status_code == 404
    other = walk_ticket("new")
    client.force_login(UserFactory(username="boss2", role="supervisor"))
    assert client.get(f"/tickets/{other.number}/files/{kept.pk}").status_code == 404  # not that ticket's file


@pytest.mark.django_db
def test_refused_files_are_named_and_not_stored(walk_ticket):
    ticket = walk_ticket("new")
    files = [Incoming("ok.png", PNG), Incoming("run.exe", b"MZ"), Incoming("fake.png", b"GIF89a")]
    kept, refused = keep_files(ticket, files)
    assert [a.name for a in kept] == ["ok.png"]
    assert [(r.name, r.reason) for r in refused] == [("run.exe", "active_content"), ("fake.png", "content_mismatch")]
    assert Attachment.objects.count() == 1
