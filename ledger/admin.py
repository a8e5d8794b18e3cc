"""Documents in the back office. Totals, lines, stock allocation and payments are derived state kept exact
by the ledger services, so they are read-only here; documents are created through the API and deleted here
through the same services (stock goes back, FIFO is released, payments are removed)."""

from datetime import timedelta
from itertools import islice

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from contacts.admin import ContactAdmin
from contacts.models import Contact
from core.admin_base import ActivityTrailInline, BusinessScopedAdmin, ReadOnlyAdmin, ReadOnlyTabular
from core.exceptions import BusinessRuleViolation
from core.money import format_currency
from ledger.admin_statements import send_statement
from ledger.models import PurchaseDocument, PurchaseLine, SellDocument, SellLine, Transaction, TransactionPayment
from ledger.selectors import contact_balance
from ledger.services.payments import payment_delete
from ledger.services.purchases import purchase_delete
from ledger.services.sells import sell_delete
from ledger.statement import ContactStatement

LEDGER_DAYS, LEDGER_LINES = 90, 200
READ_ONLY_NOTE = (
    "Read-only: totals, lines, stock allocation and payment status are derived and kept exact by the ledger "
    "services. Record payments and returns through the API; only the note can be edited here."
)


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
class TransactionAdmin(ReadOnlyAdmin):
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


class ChildPaymentInline(ReadOnlyTabular):
    model = TransactionPayment
    fk_name = "parent"
    verbose_name = "allocation"
    verbose_name_plural = "allocated to documents (child payments)"
    fields = readonly_fields = ("payment_ref_no", "transaction", "amount", "method", "paid_on")


@admin.register(TransactionPayment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments, read-only; business admins delete them here through the same service as DELETE /payments/{id}:
    a pay-due payment goes with its allocations, statuses are recomputed, the advance balance is corrected."""

    erp_permissions = {"view": ("sell.payments", "purchase.payments")}
    list_display = (
        "payment_ref_no",
        "paid_on",
        "amount",
        "method",
        "transaction",
        "payment_for",
        "is_advance",
        "is_reverse",
    )
    list_filter = ("method", "is_advance", "is_reverse", "is_return")
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
        "is_reverse",
        "payment_type",
        "due_payment_type",
        "note",
        "created_by",
        "created_at",
    )
    exclude = ("business",)
    inlines = [ChildPaymentInline]

    def has_delete_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.is_business_admin)

    def delete_model(self, request, obj):
        payment_delete(business=obj.business, user=request.user, payment=obj)

    def delete_queryset(self, request, queryset):
        # Parents first: their children go with them (and are then skipped).
        for payment in sorted(queryset, key=lambda p: p.parent_id is not None):
            try:
                if TransactionPayment.objects.filter(pk=payment.pk).exists():
                    payment_delete(business=payment.business, user=request.user, payment=payment)
            except BusinessRuleViolation as exc:
                messages.error(request, f"{payment}: {exc.message}")

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except BusinessRuleViolation as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("admin:ledger_transactionpayment_change", args=[object_id]))


class ContactWithLedgerAdmin(ContactAdmin):
    """The contact page, with what the contact owes (or is owed) and their recent ledger."""

    readonly_fields = (*ContactAdmin.readonly_fields, "balance_due", "recent_ledger")
    actions = [*(ContactAdmin.actions or ()), send_statement]
    fieldsets = (
        *ContactAdmin.fieldsets,
        ("Money owed", {"fields": ("balance_due", "recent_ledger")}),
    )

    @admin.display(description="due (all-time ledger)")
    def balance_due(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        parts = contact_balance(obj)
        return format_currency(parts["due"], obj.business)

    @admin.display(description=f"ledger, last {LEDGER_DAYS} days")
    def recent_ledger(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        today = timezone.localdate()
        statement = ContactStatement(
            business=obj.business, contact=obj, start_date=today - timedelta(days=LEDGER_DAYS), end_date=today
        )
        lines = [statement.opening_line(), *islice(statement.period_lines(), LEDGER_LINES)]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    line["date"][:10],
                    line["ref_no"],
                    line["type"],
                    line["debit"] or "",
                    line["credit"] or "",
                    line["balance"],
                )
                for line in lines
            ),
        )
        return format_html(
            "<table><thead><tr><th>Date</th><th>Ref no</th><th>Type</th><th>Debit</th><th>Credit</th>"
            "<th>Balance</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )


admin.site.unregister(Contact)
admin.site.register(Contact, ContactWithLedgerAdmin)
