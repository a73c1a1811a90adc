"""Worker test settings: SQLite gives up waiting for a lock after 1 s instead of 20 s."""

from config.settings.base import *  # noqa: F403

DATABASES["default"]["OPTIONS"]["timeout"] = 1  # noqa: F405
