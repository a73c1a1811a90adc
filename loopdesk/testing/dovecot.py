"""A real Dovecot IMAP server on loopback for tests: config written to a temporary folder, one user."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def available() -> bool:
    return os.path.exists(DOVECOT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DovecotServer:
    """Start with `with DovecotServer() as server:`; `server.append(raw)` puts a message in INBOX."""

    def __init__(self, username: str = "support@example.com", password: str = "secret-imap") -> None:  # noqa: S107 (a throwaway test server)
        self.username, self.password = username, password
        self.host, self.port = "127.0.0.1", _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="loopdesk-dovecot-"))
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> DovecotServer:
        os.chmod(self.root, 0o755)  # noqa: S103 (the unprivileged mail user must reach its folder)
        (self.root / "mail").mkdir()
        uid, gid = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())  # root may not own mail
        if os.geteuid() == 0:
            os.chown(self.root / "mail", uid, gid)
        (self.root / "passwd").write_text(f"{self.username}:{{PLAIN}}{self.password}\n")
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, uid=uid, gid=gid, port=self.port))
        self.process = subprocess.Popen(  # noqa: S603 (our own binary and config)
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port)
        imap.login(self.username, self.password)
        return imap

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        imap = self.client()
        try:
            for raw in messages:
                status, data = imap.append(folder, None, None, raw)
                if status != "OK":
                    raise RuntimeError(f"APPEND failed: {data!r}")
        finally:
            imap.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, str]:
        """UID → flags string, e.g. {1: "\\\\Seen"}."""
        imap = self.client()
        try:
            imap.select(folder)
            status, data = imap.uid("FETCH", "1:*", "(FLAGS)")
            found = {}
            for line in data:
                if not isinstance(line, bytes):
                    continue
                text = line.decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                found[uid] = text.split("FLAGS (")[1].split(")")[0]
            return found
        finally:
            imap.logout()

    def count(self, folder: str = "INBOX") -> int:
        imap = self.client()
        try:
            status, data = imap.select(folder)
            return int(data[0])
        finally:
            imap.logout()
