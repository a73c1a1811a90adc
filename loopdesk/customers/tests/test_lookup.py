"""The hotline look-up: a caller is found by any identifier they can give, in any format."""

import pytest

from loopdesk.core.errors import ValidationFailed
from loopdesk.customers.models import Contact
from loopdesk.customers.selectors import customers_matching
from loopdesk.testing.factories import AssetFactory, CustomerFactory, OrderFactory


@pytest.fixture
def caller(db):
    """A customer with every identifier, plus a bystander who must never match."""
    customer = CustomerFactory(name="张三", phone="13812345678", email="zhang@example.com", member_no="M100001")
    asset = AssetFactory(customer=customer, serial_no="SN-X1-0001")
    OrderFactory(customer=customer, order_no="DD2024031500001", contract_no="HT2024-001", asset=asset)
    AssetFactory(customer=customer, serial_no="SN-R7-0002")  # two assets must not duplicate the result
    Contact.objects.create(customer=customer, name="采购王", phone="021-6666 8888")
    CustomerFactory(name="路人", phone="13900000000", member_no="M100002")
    return customer


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "+86 138-1234-5678",
        "0086 138 1234 5678",
        "(138) 1234 5678",
        " 13812345678 ",
        "DD2024031500001",
        "HT2024-001",
        "M100001",
        "SN-X1-0001",
        "SN-R7-0002",
        "021-66668888",
        "02166668888",
        "ZHANG@example.com",
    ],
)
def test_caller_is_found_by_any_identifier(caller, typed):
    assert list(customers_matching(typed)) == [caller]


@pytest.mark.django_db
def test_found_by_public_id_in_any_case(caller):
    assert list(customers_matching(caller.public_id.lower())) == [caller]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "   ", "1381234", "DD2024", "张三", "M10000", "SN-X1"])
def test_partial_or_name_matches_find_nobody(caller, typed):
    # substrings and names are not identifiers: no fishing through the customer list
    assert list(customers_matching(typed)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1" * 101, "138\x0012345678"])
def test_invalid_look_up_values_are_refused(caller, typed):
    with pytest.raises(ValidationFailed):
        customers_matching(typed)
