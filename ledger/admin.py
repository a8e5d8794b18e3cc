"""Documents in the back office. Totals, lines, stock allocation and payments are derived state kept exact
by the ledger services, so they are read-only here; documents are created through the API and deleted here
through the same services (stock goes back, FIFO is released, payments are removed)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, Sum
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import Account
from contacts.models import Contact
from core.admin import BusinessLocationAdmin
from core.admin_base import ActivityTrailInline, BusinessScopedAdmin, ReadOnlyAdmin, ReadOnlyTabular
from core.admin_display import money, money_field, quantity
from core.admin_filters import DateRangeFilter
from core.api.serializers import numeric_id
from core.exceptions import BusinessRuleViolation
from core.models import BusinessLocation
from core.money import format_currency
from core.payment_methods import method_label
from ledger.models import PurchaseDocument, PurchaseLine, SellDocument, SellLine, Transaction, TransactionPayment
from ledger.selectors import _overdue, variation_display_name, visible_documents
from ledger.services.payments import payment_delete
from ledger.services.purchases import purchase_delete
from ledger.services.sells import sell_delete

READ_ONLY_NOTE = (
    "Read-only: totals, lines, stock allocation and payment status are derived and kept exact by the ledger "
    "services. Record payments and returns through the API; only the note can be edited here."
)


def _item(line) -> str:
    variation = line.variation
    name = variation_display_name(variation.product.name, variation.name)
    if name != variation.product.name:
        name = f"{variation.product.name} – {name}"
    return format_html('{} <small class="quiet">{}</small>', name, variation.sub_sku)


class LineInline(ReadOnlyTabular):
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variation__product", "transaction__business")

    @admin.display(description="product")
    def item(self, line):
        return _item(line)

    @admin.display(description="quantity")
    def qty(self, line):
        return quantity(line.quantity)

    @admin.display(description="returned")
    def returned(self, line):
        return quantity(line.quantity_returned)


class SellLineInline(LineInline):
    model = SellLine
    fields = readonly_fields = ("item", "qty", "price", "line_total", "returned")

    @admin.display(description="unit price")
    def price(self, line):
        return money(line.unit_price, line.transaction.business)

    @admin.display(description="line total")
    def line_total(self, line):
        return money(line.unit_price * line.quantity, line.transaction.business)


class PurchaseLineInline(LineInline):
    model = PurchaseLine
    fk_name = "transaction"
    fields = readonly_fields = ("item", "qty", "price", "line_total", "sold", "returned")

    @admin.display(description="unit cost")
    def price(self, line):
        return money(line.purchase_price, line.transaction.business)

    @admin.display(description="line total")
    def line_total(self, line):
        return money(line.purchase_price * line.quantity, line.transaction.business)

    @admin.display(description="sold")
    def sold(self, line):
        return quantity(line.quantity_sold)


def _method(payment) -> str:
    return method_label(payment.method, payment.business)


class PaymentInline(ReadOnlyTabular):
    model = TransactionPayment
    fk_name = "transaction"
    fields = readonly_fields = ("reference", "paid_on", "amount_money", "method_name", "is_return", "note")
    amount_money = money_field("amount", "amount")

    @admin.display(description="reference")
    def reference(self, payment):
        url = reverse("admin:ledger_transactionpayment_change", args=[payment.pk])
        return format_html('<a href="{}">{}</a>', url, payment.payment_ref_no or payment.pk)

    @admin.display(description="method")
    def method_name(self, payment):
        return _method(payment)


DOCUMENT_FIELDS = (
    "type",
    "status",
    "contact",
    "location",
    "invoice_no",
    "ref_no",
    "transaction_date",
    "subtotal",
    "discount_type",
    "discount",
    "shipping",
    "total",
    "paid",
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


class DocumentMoneyMixin:
    """The amounts of a document, formatted (list columns and the read-only page alike)."""

    subtotal = money_field("total_before_tax", "subtotal")
    shipping = money_field("shipping_charges", "shipping")
    total = money_field("final_total", "total")
    paid = money_field("total_paid", "paid", ordering=False)

    @admin.display(description="discount")
    def discount(self, obj):
        if obj.discount_type == "percentage":
            return format_html('<span class="number">{} %</span>', format(obj.discount_amount.normalize(), "f"))
        return money(obj.discount_amount, obj.business)

    due = money_field("total_due", "due")
    # list columns: "_money" names right-align their headers (core/static/core/admin.css)
    total_money, due_money = total, due

    def get_queryset(self, request):
        return super().get_queryset(request).with_paid()

    def changelist_totals(self, request, queryset):
        business = getattr(request.user, "business", None)
        if business is None:
            return []
        # drafts and quotations are not owed by anyone: left out of the sums
        counted = queryset.order_by().exclude(status__in=("draft", "quotation"))
        totals = counted.aggregate(total=Sum("final_total"), due=Sum("total_due"), count=Count("id"))
        return [
            (
                f"Total of the {totals['count']} documents listed (drafts and quotations left out)",
                money(totals["total"] or 0, business),
            ),
            ("Still due on them", money(totals["due"] or 0, business)),
        ]


class OverdueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return (("open", "Due or partly paid"), ("overdue", "Overdue (past the pay term)"), ("paid", "Paid"))

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(payment_status__in=("due", "partial"))
        if self.value() == "overdue":
            return queryset.filter(_overdue())
        if self.value() == "paid":
            return queryset.filter(payment_status="paid")
        return queryset


class DocumentAdmin(DocumentMoneyMixin, BusinessScopedAdmin):
    document_type = None
    delete_service = None
    date_hierarchy = "transaction_date"
    list_filter = ("status", OverdueFilter, "payment_status", "location", ("transaction_date", DateRangeFilter))
    search_fields = ("invoice_no",)
    search_help_text = "Invoice or reference number, or the contact's name (as the API's q)."
    list_select_related = ("contact", "location", "business")
    ordering = ("-transaction_date", "-id")
    fieldsets = ((None, {"description": READ_ONLY_NOTE, "fields": DOCUMENT_FIELDS + ("additional_notes",)}),)

    @admin.display(description="location", ordering="location__name")
    def location_name(self, obj):
        # The name alone: the list has eight columns to fit beside the filters at 1400 px.
        return obj.location.name if obj.location_id else "-"

    readonly_fields = DOCUMENT_FIELDS
    inlines = [PaymentInline, ActivityTrailInline]

    def get_queryset(self, request):
        documents = super().get_queryset(request).filter(type=self.document_type)
        if not request.user.is_superuser and request.user.business_id:
            # who sees which document, as in the API: permitted locations, own sells with view_own_sell_only
            documents = documents.filter(pk__in=visible_documents(request.user, self.document_type).values("pk"))
        return documents

    def get_search_results(self, request, queryset, search_term):
        return search_documents(queryset, search_term.strip(), self.document_type), False

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
    list_display = (
        "invoice_no",
        "transaction_date",
        "contact",
        "location_name",
        "status",
        "payment_status",
        "total_money",
        "due_money",
    )
    inlines = [SellLineInline, PaymentInline, ActivityTrailInline]


@admin.register(PurchaseDocument)
class PurchaseAdmin(DocumentAdmin):
    document_type = "purchase"
    delete_service = staticmethod(purchase_delete)
    erp_permissions = {"view": ("purchase.view",), "change": ("purchase.update",), "delete": ("purchase.delete",)}
    list_display = (
        "ref_no",
        "transaction_date",
        "contact",
        "location_name",
        "status",
        "payment_status",
        "total_money",
        "due_money",
    )
    inlines = [PurchaseLineInline, PaymentInline, ActivityTrailInline]


@admin.register(Transaction)
class TransactionAdmin(DocumentMoneyMixin, ReadOnlyAdmin):
    """Every document (returns, opening balances, ledger discounts too), read-only."""

    erp_permissions = {"view": ("sell.view", "purchase.view")}
    list_display = ("__str__", "type", "transaction_date", "contact", "location", "payment_status", "total_money")
    list_filter = ("type", "status", OverdueFilter, "payment_status", "location", ("transaction_date", DateRangeFilter))
    date_hierarchy = "transaction_date"
    search_fields = ("invoice_no", "ref_no", "contact__name")
    list_select_related = ("contact", "location", "business")
    ordering = ("-transaction_date", "-id")
    fields = readonly_fields = DOCUMENT_FIELDS + ("additional_notes",)

    def get_queryset(self, request):
        documents = super().get_queryset(request)
        if not request.user.is_superuser and request.user.business_id:
            documents = documents.filter(pk__in=visible_documents(request.user, *DOCUMENT_TYPES).values("pk"))
        return documents

    inlines = [PaymentInline, ActivityTrailInline]


DOCUMENT_TYPES = ("sell", "purchase", "sell_return", "purchase_return", "opening_balance", "ledger_discount")


def search_documents(documents, q: str, doc_type: str):
    """What the API's `q` matches on GET /sells and /purchases: the number, the contact's name, the id."""
    if not q:
        return documents
    number = "invoice_no" if doc_type == "sell" else "ref_no"
    named = Contact.all_objects.filter(name__icontains=q).values("pk")
    match = Q(**{f"{number}__icontains": q}) | Q(contact_id__in=named)
    if numeric_id(q) is not None:
        match |= Q(pk=numeric_id(q))
    return documents.filter(match)


def payment_label(payment) -> str:
    """`SP2026/0066 · $ 20.00 · Card`"""
    return format_html(
        "{} · {} · {}",
        payment.payment_ref_no or f"payment {payment.pk}",
        format_currency(payment.amount, payment.business),
        _method(payment),
    )


class ChildPaymentInline(ReadOnlyTabular):
    model = TransactionPayment
    fk_name = "parent"
    verbose_name = "allocation"
    verbose_name_plural = "allocated to documents (child payments)"
    fields = readonly_fields = ("reference", "document", "amount_money", "method_name", "paid_on")
    amount_money = money_field("amount", "amount")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("transaction")

    @admin.display(description="reference")
    def reference(self, payment):
        return payment.payment_ref_no or "–"

    @admin.display(description="document")
    def document(self, payment):
        return _document_link(payment.transaction)

    @admin.display(description="method")
    def method_name(self, payment):
        return _method(payment)


def _document_link(document) -> str:
    if document is None:
        return "–"
    name = {"sell": "selldocument", "purchase": "purchasedocument"}.get(document.type, "transaction")
    url = reverse(f"admin:ledger_{name}_change", args=[document.pk])
    return format_html('<a href="{}">{}</a>', url, str(document))


@admin.register(TransactionPayment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments, read-only; business admins delete them here through the same service as DELETE /payments/{id}:
    a pay-due payment goes with its allocations, statuses are recomputed, the advance balance is corrected."""

    erp_permissions = {"view": ("sell.payments", "purchase.payments")}
    list_display = (
        "payment_ref_no",
        "paid_on",
        "amount_money",
        "method_name",
        "document",
        "payment_for",
        "is_advance",
        "is_reverse",
    )
    list_filter = ("method", "is_advance", "is_reverse", "is_return", ("paid_on", DateRangeFilter))
    search_fields = ("payment_ref_no", "note", "payment_for__name", "transaction__invoice_no", "transaction__ref_no")
    search_help_text = "Reference, note, the document's number or the contact's name."
    date_hierarchy = "paid_on"
    ordering = ("-paid_on", "-id")
    list_select_related = ("transaction", "payment_for", "business")
    fields = readonly_fields = (
        "document",
        "parent_payment",
        "payment_for",
        "amount_money",
        "method_name",
        "account",
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
    inlines = [ChildPaymentInline]
    amount_money = money_field("amount", "amount")

    @admin.display(description="method", ordering="method")
    def method_name(self, payment):
        return _method(payment)

    @admin.display(description="document")
    def document(self, payment):
        return _document_link(payment.transaction)

    @admin.display(description="part of")
    def parent_payment(self, payment):
        if payment.parent_id is None:
            return "–"
        parent = payment.parent
        url = reverse("admin:ledger_transactionpayment_change", args=[parent.pk])
        return format_html('<a href="{}">{}</a>', url, payment_label(parent))

    def changelist_totals(self, request, queryset):
        business = getattr(request.user, "business", None)
        if business is None:
            return []
        # allocations of a pay-due payment are part of their parent's amount: counted once
        rows = queryset.order_by().filter(parent__isnull=True)
        total = rows.aggregate(total=Sum("amount"))["total"] or 0
        label = f"Sum of the {rows.count()} payments listed (allocations counted in their parent)"
        return [(label, money(total, business))]

    def get_queryset(self, request):
        payments = super().get_queryset(request)
        user = request.user
        if user.is_superuser or not user.business_id or user.is_business_admin:
            return payments
        # the payments of the documents the staff member sees, and the pay-due payments of contacts they see
        documents = visible_documents(user, *DOCUMENT_TYPES).values("pk")
        contacts = Contact.objects.for_business(user.business).visible_to(user).values("pk")
        return payments.filter(Q(transaction__in=documents) | Q(transaction__isnull=True, payment_for__in=contacts))

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


from ledger import admin_contact  # noqa: E402,F401  (the contact page's money panels and list columns)

# --- a location's payment accounts: one account per payment method, instead of their JSON -------------------------


class LocationForm(forms.ModelForm):
    """`default_payment_accounts` edited as one "posts to" account per payment method (empty: not enabled)."""

    class Meta:
        model = BusinessLocation
        fields = (
            "business",
            "name",
            "landmark",
            "city",
            "state",
            "country",
            "zip_code",
            "mobile",
            "email",
            "is_active",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        business = getattr(self.instance, "business", None) if self.instance.business_id else None
        accounts = Account.objects.for_business(business).open() if business else Account.objects.none()
        stored = (self.instance.default_payment_accounts or {}) if self.instance.pk else {}
        for key, label in TransactionPayment.Method.choices:
            if key == "advance":
                continue  # spends the contact's advance balance: no money moves
            entry = stored.get(key) or {}
            enabled = entry.get("is_enabled") not in (None, False, 0, "0")
            self.fields[f"account_for_{key}"] = forms.ModelChoiceField(
                queryset=accounts,
                required=False,
                label=f"{method_label(key, business) if business else label} payments go to",
                initial=entry.get("account_id") if enabled else None,
            )

    def method_accounts(self) -> dict:
        return {
            field.removeprefix("account_for_"): {"is_enabled": True, "account_id": account.pk}
            for field, account in self.cleaned_data.items()
            if field.startswith("account_for_") and account is not None
        }


class LocationWithAccountsAdmin(BusinessLocationAdmin):
    form = LocationForm

    def get_fieldsets(self, request, obj=None):
        base = [f for f in self.get_form(request, obj).base_fields if not f.startswith("account_for_")]
        sets = [(None, {"fields": (*base, "location_code")})]
        if obj is not None and obj.business.has_module("account"):
            methods = [f"account_for_{k}" for k, _ in TransactionPayment.Method.choices if k != "advance"]
            sets.append(("Payment accounts", {"fields": methods, "description": ACCOUNTS_NOTE}))
        return sets

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and obj.business.has_module("account"):
            obj.default_payment_accounts = form.method_accounts()
        elif not change:  # a new location starts without payment accounts (location_create takes the rest)
            for name in [f for f in form.cleaned_data if f.startswith("account_for_")]:
                del form.cleaned_data[name]
        super().save_model(request, obj, form, change)


ACCOUNTS_NOTE = (
    "The payment account a payment by each method at this location posts to; leave it empty for none. "
    "Staff limited to this location see these accounts."
)

admin.site.unregister(BusinessLocation)
admin.site.register(BusinessLocation, LocationWithAccountsAdmin)
