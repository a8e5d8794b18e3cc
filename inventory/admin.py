from django.contrib import admin

from core.admin_base import BusinessScopedAdmin, BusinessScopedMixin, ReadOnlyAdmin
from core.admin_display import money_field, quantity
from core.services.activity import logged_update
from inventory.models import Product, Unit, Variation, VariationLocationStock
from inventory.services import PRODUCT_FIELDS

VARIATION = ("name", "default_purchase_price", "default_sell_price")
PRODUCT_PERMS = {"view": ("product.view",), "add": ("product.create",), "change": ("product.create",)}


@admin.register(Unit)
class UnitAdmin(BusinessScopedAdmin):
    erp_permissions = PRODUCT_PERMS
    list_display = ("short_name", "actual_name", "allow_decimal", "business")
    search_fields = ("short_name", "actual_name")


class VariationInline(BusinessScopedMixin, admin.TabularInline):
    """Names and default prices are editable; a sub_sku is fixed (documents and imports find variations by it),
    and variations are added with their product (POST /products), not here."""

    model = Variation
    erp_permissions = {"view": ("product.view",), "change": ("product.create",)}
    template = "admin/edit_inline/tabular_plain.html"
    extra = 0
    fields = ("name", "sub_sku", "default_purchase_price", "default_sell_price")
    readonly_fields = ("sub_sku",)
    purchase_price = money_field("default_purchase_price", "default purchase price")
    sell_price = money_field("default_sell_price", "default sell price")

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fields
        return ("name", "sub_sku", "purchase_price", "sell_price")  # read-only: the prices formatted

    def get_readonly_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.readonly_fields
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # documents point at variations


class StockInline(admin.TabularInline):
    model = VariationLocationStock
    fk_name = "variation"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("location", "on_hand")
    verbose_name_plural = "stock (moved only by documents)"
    template = "admin/edit_inline/tabular_plain.html"

    @admin.display(description="on hand")
    def on_hand(self, stock):
        return quantity(stock.qty_available)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(BusinessScopedAdmin):
    """Products are created through POST /products (or the demo and imports), which check the sku against every
    sub_sku of the business and write the variations. Here a product's name, unit and its variations' names and
    prices can be edited (logged in the activity trail); its type, sku and stock tracking are fixed, because stock
    rows, the FIFO mapping and documents depend on them."""

    erp_permissions = PRODUCT_PERMS
    list_display = ("name", "sku", "type", "unit", "enable_stock")
    ordering = ("name",)
    list_filter = ("type", "enable_stock", "unit")
    search_fields = ("name", "sku", "variations__sub_sku")
    readonly_fields = ("business", "sku", "type", "enable_stock", "created_by", "created_at", "updated_at")
    inlines = [VariationInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        stored = Product.objects.get(pk=obj.pk)  # the values before this form (obj already carries the new ones)
        with logged_update(business=obj.business, user=request.user, instance=stored, fields=PRODUCT_FIELDS):
            super().save_model(request, obj, form, change)
            stored.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        for variation in formset.save(commit=False):
            stored = Variation.objects.get(pk=variation.pk)
            with logged_update(business=form.instance.business, user=request.user, instance=stored, fields=VARIATION):
                variation.save()
                stored.refresh_from_db()
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        return False  # sold or purchased products stay: documents point at them


@admin.register(Variation)
class VariationAdmin(BusinessScopedAdmin):
    """Read-only list of everything that can be bought and sold, with its stock per location."""

    erp_permissions = {"view": ("product.view",)}
    list_display = ("sub_sku", "product", "name", "purchase_price", "sell_price")
    search_fields = ("sub_sku", "product__name", "name")
    list_select_related = ("product", "business")
    ordering = ("product__name", "id")
    fields = readonly_fields = ("product", "name", "sub_sku", "purchase_price", "sell_price")
    purchase_price = money_field("default_purchase_price", "default purchase price")
    sell_price = money_field("default_sell_price", "default sell price")
    exclude = ("business",)
    inlines = [StockInline]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VariationLocationStock)
class StockAdmin(ReadOnlyAdmin):
    """Stock on hand: derived from purchases, sells and returns, so read-only here."""

    erp_permissions = {"view": ("product.view",)}
    list_display = ("variation", "location", "on_hand")
    list_filter = ("location",)
    list_select_related = ("variation__product", "location")

    @admin.display(description="on hand", ordering="qty_available")
    def on_hand(self, stock):
        return quantity(stock.qty_available)

    search_fields = ("variation__sub_sku", "variation__product__name")
    fields = readonly_fields = ("variation", "location", "on_hand")
