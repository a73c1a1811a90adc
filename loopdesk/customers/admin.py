from django.contrib import admin

from loopdesk.customers.models import Asset, Contact, Customer, Order


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AssetInline(admin.TabularInline):
    model = Asset
    extra = 0


class OrderInline(admin.TabularInline):
    model = Order
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("public_id", "company", "industry", "tier", "created_at")
    list_filter = ("tier", "industry")
    search_fields = ("public_id", "member_no", "company")
    readonly_fields = ("public_id",)
    inlines = [ContactInline, AssetInline, OrderInline]

    def has_add_permission(self, request):
        return False  # customers are registered through intake, which numbers them


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("product_name", "model", "serial_no", "customer", "purchased_on", "warranty_ends_on")
    search_fields = ("serial_no", "product_name", "model")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_no", "contract_no", "customer", "ordered_on")
    search_fields = ("order_no", "contract_no")
