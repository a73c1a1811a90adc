"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from loopdesk.accounts.models import Department, User
from loopdesk.core.models import next_public_number
from loopdesk.customers.models import Asset, Customer, Order
from loopdesk.tickets.models import Category, Priority, Ticket


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    department = factory.LazyFunction(lambda: Department.objects.get(code="cs"))
    password = factory.PostGenerationMethodCall("set_password", "pass-1234")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    public_id = factory.LazyFunction(lambda: next_public_number("C"))
    name = factory.Sequence(lambda n: f"李四{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    company = "示例科技有限公司"


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    customer = factory.SubFactory(CustomerFactory)
    product_name = "智能门锁"
    model = "X1"
    serial_no = factory.Sequence(lambda n: f"SN{n:06d}")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    order_no = factory.Sequence(lambda n: f"DD{n:08d}")


class TicketFactory(factory.django.DjangoModelFactory):
    """A registered ticket (status new) straight in the database; use services to move it."""

    class Meta:
        model = Ticket

    number = factory.LazyFunction(lambda: next_public_number("P"))
    title = factory.Sequence(lambda n: f"支付失败 {n}")
    description = "APP 支付时提示网络错误"
    channel = "phone"
    customer = factory.SubFactory(CustomerFactory)
    category = factory.LazyFunction(lambda: Category.objects.filter(is_active=True).first())
    priority = factory.LazyFunction(lambda: Priority.objects.get(code="P2"))
