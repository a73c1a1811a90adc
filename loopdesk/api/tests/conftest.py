import pytest
from django.test import Client

from loopdesk.accounts.models import ApiToken


@pytest.fixture
def api_client():
    """Return a function giving a test client that sends `Authorization: Bearer` for a user."""

    def make(user):
        _, raw = ApiToken.issue(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")

    return make


NEW_TICKET = {
    "title": "扫地机器人无法充电",
    "description": "放回底座后指示灯不亮",
    "channel": "phone",
    "category": "hardware_fault",
    "priority": "P2",
    "customer": {"name": "张三丰", "phone": "13812345678", "email": "zhang@example.com"},
}
