from django.contrib import admin

from core.admin_base import BusinessScopedAdmin
from inventory.models import Product, Unit, Variation, VariationLocationStock

PRODUCT_PERMS = {"view": ("product.view",), "add": ("product.create",), "change": ("product.create",)}


@admin.register(Unit)
class UnitAdmin(BusinessScopedAdmin):
    erp_permissions = PRODUCT_PERMS
    list_display = ("short_name", "actual_name", "allow_decimal", "business")
    search_fields = ("short_name", "actual_name")


class VariationInline(admin.TabularInline):
    model = Variation
    extra = 0
    min_num = 1
    fields = ("name", "sub_sku", "default_purchase_price", "default_sell_price")

    def has_delete_permission(self, request, obj=None):
        return False  # documents point at variations


class StockInline(admin.TabularInline):
    model = VariationLocationStock
    fk_name = "variation"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("location", "qty_available")
    verbose_name_plural = "stock (moved only by documents)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(BusinessScopedAdmin):
    erp_permissions = PRODUCT_PERMS
    list_display = ("name", "sku", "type", "unit", "enable_stock", "business")
    list_filter = ("type", "enable_stock", "unit")
    search_fields = ("name", "sku", "variations__sub_sku")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [VariationInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for variation in formset.save(commit=False):
            variation.business_id = form.instance.business_id
            variation.save()
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        return False  # sold or purchased products stay: documents point at them


@admin.register(Variation)
class VariationAdmin(BusinessScopedAdmin):
    """Read-only list of everything that can be bought and sold, with its stock per location."""

    erp_permissions = {"view": ("product.view",)}
    list_display = ("sub_sku", "product", "name", "default_purchase_price", "default_sell_price")
    search_fields = ("sub_sku", "product__name", "name")
    readonly_fields = ("product", "name", "sub_sku", "default_purchase_price", "default_sell_price")
    exclude = ("business",)
    inlines = [StockInline]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VariationLocationStock)
class StockAdmin(BusinessScopedAdmin):
    """Stock on hand: derived from purchases, sells and returns, so read-only here."""

    erp_permissions = {"view": ("product.view",)}
    list_display = ("variation", "location", "qty_available")
    list_filter = ("location",)
    search_fields = ("variation__sub_sku", "variation__product__name")
    readonly_fields = ("variation", "location", "qty_available")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
