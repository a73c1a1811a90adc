"""Customers, their contacts, products/assets and orders/contracts."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loopdesk.core.masking import normalize_phone
from loopdesk.customers.querysets import ContactQuerySet, CustomerQuerySet


class Customer(models.Model):
    """A customer (person or company contact) with a public ID C + date + serial."""

    class Tier(models.TextChoices):
        STANDARD = "standard", _("Standard")
        VIP = "vip", _("VIP")
        KEY_ACCOUNT = "key", _("Key account")

    public_id = models.CharField(_("customer ID"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    member_no = models.CharField(_("member no."), max_length=64, blank=True, db_index=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("reveal_pii", "Can reveal masked customer data")]
        constraints = [
            models.UniqueConstraint(
                fields=["member_no"], condition=~models.Q(member_no=""), name="uniq_customer_member_no"
            ),
        ]
        indexes = [models.Index(Lower("email"), name="customer_email_lower")]

    def __str__(self) -> str:
        return self.public_id

    def save(self, *args, **kwargs):
        self.phone = normalize_phone(self.phone)
        super().save(*args, **kwargs)


class Contact(models.Model):
    """A further person or number at a customer (a company's purchaser, a second phone)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=64, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(Lower("email"), name="contact_email_lower")]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.pk}"

    def save(self, *args, **kwargs):
        self.phone = normalize_phone(self.phone)
        super().save(*args, **kwargs)


class Asset(models.Model):
    """A product the customer owns: name, model, serial no., purchase date, warranty end."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="assets")
    product_name = models.CharField(_("product name"), max_length=200)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_no = models.CharField(_("serial no."), max_length=100, blank=True, db_index=True)
    purchased_on = models.DateField(_("purchase date"), null=True, blank=True)
    warranty_ends_on = models.DateField(_("warranty end"), null=True, blank=True)

    class Meta:
        verbose_name = _("product / asset")
        verbose_name_plural = _("products / assets")

    def __str__(self) -> str:
        return " ".join(p for p in [self.product_name, self.model, self.serial_no] if p)

    @property
    def is_under_warranty(self) -> bool:
        return bool(self.warranty_ends_on and self.warranty_ends_on >= timezone.localdate())


class Order(models.Model):
    """An order or contract the feedback may refer to."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    order_no = models.CharField(_("order no."), max_length=64, db_index=True)
    contract_no = models.CharField(_("contract no."), max_length=64, blank=True, db_index=True)
    ordered_on = models.DateField(_("order date"), null=True, blank=True)
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")

    class Meta:
        verbose_name = _("order / contract")
        verbose_name_plural = _("orders / contracts")
        constraints = [models.UniqueConstraint(fields=["order_no"], name="uniq_order_no")]

    def __str__(self) -> str:
        return self.order_no
