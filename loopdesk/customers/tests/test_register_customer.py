"""register_customer and find_or_register_customer: numbered C + date + 2 digits, validated input."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from loopdesk.core.errors import ValidationFailed
from loopdesk.customers.models import Contact, Customer
from loopdesk.customers.selectors import first_customer
from loopdesk.customers.services import find_or_register_customer, register_customer, update_customer

MORNING = dt.datetime(2024, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_registration_numbers_customers_per_day():
    # given a day in Shanghai
    with time_machine.travel(MORNING, tick=False):
        # when two customers are registered
        first = register_customer(name=" 张三 ", phone="+86 138-1234-5678", company="华信科技", tier="vip")
        second = register_customer(name="李四")
    # then they get C + date + two-digit serials and clean data
    assert (first.public_id, second.public_id) == ("C2024031501", "C2024031502")
    assert (first.name, first.phone, first.tier) == ("张三", "13812345678", "vip")
    assert second.tier == "standard" and second.created_at == MORNING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "张三", "phone": "123"}, "phone"),
        ({"name": "张三", "phone": "1" * 21}, "phone"),
        ({"name": "张三", "email": "no-at-sign"}, "email"),
        ({"name": "张三", "email": "a@b.cn\r\nBcc: x@y.cn"}, "email"),
        ({"name": "张三", "public_id": "C1"}, "public_id"),
    ],
)
def test_invalid_customers_are_refused(fields, field):
    with pytest.raises(ValidationFailed) as error:
        register_customer(**fields)
    assert field in error.value.fields
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_member_no_belongs_to_one_customer():
    register_customer(name="张三", member_no="M1")
    with pytest.raises(ValidationFailed) as error:
        register_customer(name="李四", member_no="M1")
    assert "member_no" in error.value.fields


@pytest.mark.django_db
def test_an_unknown_tier_falls_back_to_standard():
    assert register_customer(name="张三", tier="platinum").tier == "standard"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [{"phone": "138 1234 5678"}, {"phone": "", "email": "ZS@example.com"}],
    ids=["phone in another format", "email in another case"],
)
def test_find_or_register_finds_the_existing_customer(fields):
    existing = register_customer(name="张三", phone="13812345678", email="zs@example.com")
    assert find_or_register_customer(name="张三丰", **fields) == existing
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_find_or_register_registers_a_stranger():
    register_customer(name="张三", phone="13812345678")
    stranger = find_or_register_customer(name="王五", phone="13900001111")
    assert stranger.name == "王五" and Customer.objects.count() == 2


@pytest.mark.django_db
def test_update_keeps_the_public_id():
    customer = register_customer(name="张三")
    public_id = customer.public_id
    update_customer(customer, company="新公司", phone="+86 139-0000-1111")
    customer.refresh_from_db()
    assert (customer.public_id, customer.company, customer.phone) == (public_id, "新公司", "13900001111")


@pytest.mark.django_db
def test_first_customer_takes_the_first_lookup_that_finds_one_with_its_fields_converted():
    by_phone = register_customer(name="张三", phone="13812345678", email="zs@example.com")
    by_email = register_customer(name="李四", email="Li.Si@Example.com")
    later_same_email = register_customer(name="李四二", email="li.si@example.com")
    contact_of = register_customer(name="王五")
    Contact.objects.create(customer=contact_of, name="王五的同事", email="colleague@example.com")
    assert first_customer(("phone", "13812345678"), ("email", "li.si@example.com")) == by_phone
    assert first_customer(("phone", "13900000000"), ("email", " LI.SI@example.COM ")) == by_email  # lowest id
    assert later_same_email.pk > by_email.pk
    assert first_customer(("contact_email", "Colleague@example.com"), ("email", "colleague@example.com")) == contact_of
    assert first_customer(("email", "nobody@example.com")) is None
    assert first_customer() is None
    found = first_customer(("email", "zs@example.com"))
    assert found is not None and found.created_at == by_phone.created_at  # a datetime, not the database's text
    assert found.tier == by_phone.tier and found.public_id == by_phone.public_id
    with pytest.raises(ValueError):
        first_customer(("member_no", "1"))
