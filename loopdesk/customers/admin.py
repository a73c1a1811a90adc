from django.contrib import admin

from loopdesk.customers.models import Asset, Contact, Customer, Order

# Personal data (name, phone, email, address) stays out of list pages; it is searchable by exact value only.


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AssetInline(admin.TabularInline):
    model = Asset
    extra = 0


class OrderInline(admin.TabularInline):
    model = Order
    extra = 0
    raw_id_fields = ("asset",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("public_id", "company", "industry", "tier", "member_no", "created_at")
    list_filter = ("tier", "industry")
    search_fields = ("=public_id", "=member_no", "=phone", "=email", "company")
    readonly_fields = ("public_id", "created_at")
    date_hierarchy = "created_at"
    inlines = [ContactInline, AssetInline, OrderInline]

    def has_add_permission(self, request):
        return False  # customers are registered through intake, which numbers them


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("customer", "role")
    search_fields = ("=phone", "=customer__public_id")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("product_name", "model", "serial_no", "customer", "purchased_on", "warranty_ends_on")
    list_filter = ("product_name",)
    search_fields = ("serial_no", "product_name", "model", "=customer__public_id")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_no", "contract_no", "customer", "asset", "ordered_on")
    search_fields = ("order_no", "contract_no", "=customer__public_id")
    list_select_related = ("customer", "asset")
    raw_id_fields = ("customer", "asset")
    date_hierarchy = "ordered_on"
