"""reveal_customer_field: clear PII only for holders of the permission, and every reveal is audited."""

import pytest

from loopdesk.audit.models import AuditEntry
from loopdesk.core.errors import PermissionDenied, ValidationFailed
from loopdesk.customers.services import reveal_customer_field


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("name", "李四"), ("phone", "13812345678")])
def test_a_supervisor_reveals_and_it_is_audited(customer, supervisor, field, value):
    # when the supervisor reveals a field with a reason
    clear = reveal_customer_field(customer, field=field, actor=supervisor, reason="回访核实身份")
    # then the clear value comes back and one audit entry says who, what and why
    assert clear == value
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.actor_name) == ("pii_revealed", supervisor, "supervisor")
    assert (entry.object_type, entry.object_id, entry.field, entry.reason) == (
        "customer",
        customer.public_id,
        field,
        "回访核实身份",
    )


@pytest.mark.django_db
def test_the_context_is_the_reason_when_none_is_given(customer, supervisor):
    reveal_customer_field(customer, field="email", actor=supervisor, context="ticket P20240315001")
    assert AuditEntry.objects.get().reason == "ticket P20240315001"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "engineer"])
def test_others_are_refused_and_nothing_is_revealed(customer, request, role):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        reveal_customer_field(customer, field="phone", actor=actor)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["company", "member_no", "public_id", "__dict__"])
def test_only_pii_fields_can_be_revealed(customer, supervisor, field):
    with pytest.raises(ValidationFailed):
        reveal_customer_field(customer, field=field, actor=supervisor)
    assert not AuditEntry.objects.exists()
