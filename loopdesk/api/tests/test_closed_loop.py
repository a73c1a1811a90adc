"""The whole closed loop through API v1, including automatic reopening after an unhappy callback."""

import pytest

from loopdesk.api.tests.conftest import NEW_TICKET


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", **headers)


@pytest.mark.django_db
def test_closed_loop_through_the_api(api_client, supervisor, engineer, agent):
    # given a supervisor (classify, assign, reassign), an engineer (owner), an agent (intake, callback)
    boss, eng, desk = api_client(supervisor), api_client(engineer), api_client(agent)

    # when the agent registers a phone ticket
    created = post(desk, "/api/v1/tickets", NEW_TICKET)
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert number.startswith("P") and len(number) == 12
    assert created.json()["status"] == "new"

    def move(client, to, **fields):
        response = post(client, f"/api/v1/tickets/{number}/transitions", {"to": to, **fields})
        assert response.status_code == 200, (to, response.content)
        return response.json()

    move(boss, "triaged")
    move(boss, "assigned", owner="engineer")
    move(eng, "accepted")
    move(eng, "in_progress")
    move(eng, "waiting_customer", note="请客户提供底座照片")
    move(eng, "in_progress")
    assert post(eng, f"/api/v1/tickets/{number}/progress", {"body": "已寄出新底座"}).status_code == 201
    move(eng, "resolved", root_cause="底座触点氧化", solution="更换底座", result="fully")
    move(desk, "notified", message="已更换底座，请确认")

    # then an unhappy callback reopens it with a raised priority
    unhappy = post(desk, f"/api/v1/tickets/{number}/satisfaction", {"score": 1, "comment": "还是不行"})
    assert unhappy.status_code == 201
    # and the second-processing rule hands it to the customer-service supervisor, who must acknowledge it
    assert unhappy.json()["status"] == "assigned" and unhappy.json()["owner"] == "supervisor"
    assert unhappy.json()["priority"] == "P1"
    assert unhappy.json()["reopen_count"] == 1

    # and the supervisor changes the owner during second processing
    other = post(boss, f"/api/v1/tickets/{number}/transitions", {"to": "assigned", "owner": "supervisor"})
    assert other.status_code == 200 and other.json()["owner"] == "supervisor"
    move(boss, "accepted")
    move(boss, "in_progress")
    move(boss, "resolved", root_cause="主板故障", solution="返厂维修", result="returned_to_factory")
    move(desk, "notified", message="维修完成")
    happy = post(
        desk,
        f"/api/v1/tickets/{number}/satisfaction",
        {"score": 5, "timeliness": 4, "attitude": 5, "effectiveness": 5, "comment": "满意"},
    )
    assert happy.json()["status"] == "notified"
    closed = move(desk, "closed")
    assert closed["status"] == "closed" and closed["closed_at"]

    kinds = [e["kind"] for e in closed["events"]]
    assert kinds[0] == "created" and kinds[-1] == "closed"
    assert kinds.count("reopened") == 1 and kinds.count("satisfaction_recorded") == 2
    assert [s["score"] for s in closed["satisfactions"]] == [5, 1]


@pytest.mark.django_db
def test_illegal_transition_is_refused_with_409(api_client, supervisor):
    client = api_client(supervisor)
    number = post(client, "/api/v1/tickets", NEW_TICKET).json()["number"]

    response = post(client, f"/api/v1/tickets/{number}/transitions", {"to": "closed"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    assert response.json()["error"]["request_id"]


@pytest.mark.django_db
def test_stale_version_is_a_conflict(api_client, supervisor):
    client = api_client(supervisor)
    ticket = post(client, "/api/v1/tickets", NEW_TICKET).json()

    response = post(
        client, f"/api/v1/tickets/{ticket['number']}/transitions", {"to": "triaged", "version": ticket["version"] + 5}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


@pytest.mark.django_db
def test_engineer_may_not_classify(api_client, supervisor, engineer):
    number = post(api_client(supervisor), "/api/v1/tickets", NEW_TICKET).json()["number"]
    post(api_client(supervisor), f"/api/v1/tickets/{number}/transitions", {"to": "assigned", "owner": "engineer"})

    response = post(
        api_client(engineer),
        f"/api/v1/tickets/{number}/transitions",
        {"to": "resolved", "root_cause": "x", "solution": "y", "result": "fully"},
    )

    assert response.status_code == 409  # assigned -> resolved is not a legal move
    response = post(api_client(engineer), f"/api/v1/tickets/{number}/replies", {"body": "内部备注", "is_public": False})
    assert response.status_code == 201
    assert response.json()["events"][-1]["kind"] == "note_added"
