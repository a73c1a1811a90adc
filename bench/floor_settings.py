"""The benchmark server's settings: production's, with the floor under W1 served beside the product (floor_urls)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
