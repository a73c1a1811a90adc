"""OpenAPI schema and interactive docs, served entirely from this host (no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from loopdesk.api.v1 import api


@pytest.mark.django_db
def test_openapi_lists_every_endpoint():
    schema = Client().get("/api/v1/openapi.json")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/transitions",
        "/api/v1/customers/lookup",
        "/api/v1/categories",
        "/api/v1/priorities",
    ):
        assert path in paths
    assert schema.json()["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_docs_page_loads_nothing_from_other_hosts():
    docs = Client().get("/api/v1/docs")

    assert docs.status_code == 200
    html = docs.content.decode()
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets and "/static/ninja/swagger-ui.css" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped locally"


def test_docs_disable_the_online_validator():
    assert api.docs.settings["validatorUrl"] is None
