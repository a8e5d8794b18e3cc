"""Documents in the back office. Totals, lines, stock allocation and payments are derived state kept exact
by the ledger services, so they are read-only here; documents are created through the API and deleted here
through the same services (stock goes back, FIFO is released, payments are removed)."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from core.admin_base import ActivityTrailInline, BusinessScopedAdmin
from core.exceptions import BusinessRuleViolation
from ledger.models import PurchaseDocument, PurchaseLine, SellDocument, SellLine, Transaction, TransactionPayment
from ledger.services.purchases import purchase_delete
from ledger.services.sells import sell_delete

READ_ONLY_NOTE = (
    "Read-only: totals, lines, stock allocation and payment status are derived and kept exact by the ledger "
    "services. Record payments and returns through the API; only the note can be edited here."
)


class ReadOnlyTabular(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SellLineInline(ReadOnlyTabular):
    model = SellLine
    fields = readonly_fields = ("variation", "quantity", "unit_price", "quantity_returned")


class PurchaseLineInline(ReadOnlyTabular):
    model = PurchaseLine
    fk_name = "transaction"
    fields = readonly_fields = ("variation", "quantity", "purchase_price", "quantity_sold", "quantity_returned")


class PaymentInline(ReadOnlyTabular):
    model = TransactionPayment
    fk_name = "transaction"
    fields = readonly_fields = ("payment_ref_no", "paid_on", "amount", "method", "is_return", "note")


DOCUMENT_FIELDS = (
    "type",
    "status",
    "contact",
    "location",
    "invoice_no",
    "ref_no",
    "transaction_date",
    "total_before_tax",
    "discount_type",
    "discount_amount",
    "shipping_charges",
    "final_total",
    "payment_status",
    "pay_term_number",
    "pay_term_type",
    "due_date",
    "return_parent",
    "is_recurring",
    "subscription_no",
    "created_by",
    "created_at",
)


class DocumentAdmin(BusinessScopedAdmin):
    document_type = None
    delete_service = None
    date_hierarchy = "transaction_date"
    list_filter = ("status", "payment_status", "location", "transaction_date")
    search_fields = ("invoice_no", "ref_no", "contact__name")
    list_select_related = ("contact", "location")
    fieldsets = ((None, {"description": READ_ONLY_NOTE, "fields": DOCUMENT_FIELDS + ("additional_notes",)}),)
    readonly_fields = DOCUMENT_FIELDS
    inlines = [PaymentInline, ActivityTrailInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(type=self.document_type)

    def has_add_permission(self, request, *args):
        return False  # documents are created through the API (stock, numbering, FIFO)

    def delete_model(self, request, obj):
        type(self).delete_service(business=obj.business, user=request.user, **{self.document_type: obj})

    def delete_queryset(self, request, queryset):
        for document in queryset:
            try:
                self.delete_model(request, document)
            except BusinessRuleViolation as exc:
                messages.error(request, f"{document}: {exc.message}")

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except BusinessRuleViolation as exc:
            messages.error(request, exc.message)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))


@admin.register(SellDocument)
class SellAdmin(DocumentAdmin):
    document_type = "sell"
    delete_service = staticmethod(sell_delete)
    erp_permissions = {
        "view": ("sell.view", "direct_sell.access"),
        "change": ("sell.update",),
        "delete": ("sell.delete",),
    }
    list_display = ("invoice_no", "transaction_date", "contact", "location", "status", "payment_status", "final_total")
    inlines = [SellLineInline, PaymentInline, ActivityTrailInline]


@admin.register(PurchaseDocument)
class PurchaseAdmin(DocumentAdmin):
    document_type = "purchase"
    delete_service = staticmethod(purchase_delete)
    erp_permissions = {"view": ("purchase.view",), "change": ("purchase.update",), "delete": ("purchase.delete",)}
    list_display = ("ref_no", "transaction_date", "contact", "location", "status", "payment_status", "final_total")
    inlines = [PurchaseLineInline, PaymentInline, ActivityTrailInline]


@admin.register(Transaction)
class TransactionAdmin(BusinessScopedAdmin):
    """Every document (returns, opening balances, ledger discounts too), read-only."""

    erp_permissions = {"view": ("sell.view", "purchase.view")}
    list_display = ("__str__", "type", "transaction_date", "contact", "location", "payment_status", "final_total")
    list_filter = ("type", "status", "payment_status", "location")
    date_hierarchy = "transaction_date"
    search_fields = ("invoice_no", "ref_no", "contact__name")
    list_select_related = ("contact", "location")
    readonly_fields = DOCUMENT_FIELDS + ("additional_notes",)
    exclude = ("business",)
    inlines = [PaymentInline, ActivityTrailInline]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransactionPayment)
class PaymentAdmin(BusinessScopedAdmin):
    erp_permissions = {"view": ("sell.payments", "purchase.payments")}
    list_display = ("payment_ref_no", "paid_on", "amount", "method", "transaction", "payment_for", "is_advance")
    list_filter = ("method", "is_advance", "is_return")
    search_fields = ("payment_ref_no", "note", "payment_for__name")
    date_hierarchy = "paid_on"
    list_select_related = ("transaction", "payment_for")
    readonly_fields = (
        "transaction",
        "parent",
        "payment_for",
        "amount",
        "method",
        "paid_on",
        "payment_ref_no",
        "is_return",
        "is_advance",
        "payment_type",
        "created_by",
        "created_at",
    )
    exclude = ("business",)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
