"""Test settings: fast hashing, same database selection as production (DATABASE_URL or SQLite)."""

import tempfile

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LOOPDESK_FILES_DIR = Path(tempfile.mkdtemp(prefix="loopdesk-test-files-"))  # noqa: F405
