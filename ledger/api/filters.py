"""The ledger lists' filters: one FilterSet per list (core.api.filtering), each narrowing what the view's wall
(ledger.selectors: visible documents, the supplier's lines, visible contacts' discounts) already lets the user see."""

from django.db.models import F, Q
from rest_framework import serializers

from contacts.models import Contact
from core.api.filtering import BooleanFilter, ChoiceFilter, DateRangeFilterSet, IdFilter, SearchFilterSet, matching
from core.api.query import PER_PAGE_MAX, ListPageQuery
from ledger.selectors import _overdue


def choices(*values: str) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class DocumentFilter(SearchFilterSet, DateRangeFilterSet):
    """What the sells and purchases lists share; `q` matches `number_field`, the contact name or the numeric id."""

    date_field = "transaction_date"
    number_field: str

    location_id = IdFilter(help_text="Only this location (one of the user's permitted locations).")
    contact_id = IdFilter()
    payment_status = ChoiceFilter(
        choices=choices("paid", "due", "partial", "overdue"),
        method="of_payment_status",
        help_text="paid, due, partial, or overdue (due or partial, with a pay term, past the due date).",
    )

    def of_payment_status(self, queryset, name, value):
        return queryset.filter(_overdue() if value == "overdue" else Q(payment_status=value))

    def search(self, queryset, name, value):
        # Contacts matching the name first (a small set), so the page can walk the list index and stop early.
        named = Contact.all_objects.filter(business=self.business, name__icontains=value).values("pk")
        return queryset.filter(matching(value, self.number_field) | Q(contact_id__in=named))


class SellFilter(DocumentFilter):
    """`GET /sells`."""

    number_field = "invoice_no"

    created_by = IdFilter()
    status = ChoiceFilter(choices=choices("final", "draft", "quotation"))
    is_direct_sale = BooleanFilter(allow_null=True)
    only_shipments = BooleanFilter(
        default=False,
        method="with_shipping",
        help_text="true: only sells with shipping charges (there is no shipping status in this system).",
    )

    def with_shipping(self, queryset, name, value):
        return queryset.filter(shipping_charges__gt=0) if value else queryset


class PurchaseFilter(DocumentFilter):
    """`GET /purchases`."""

    number_field = "ref_no"

    status = ChoiceFilter(choices=choices("received", "pending", "ordered"))


class ContactSellFilter(SellFilter):
    contact_id = None  # fixed by the path


class ContactPurchaseFilter(PurchaseFilter):
    contact_id = None  # fixed by the path


class LedgerDiscountFilter(SearchFilterSet, DateRangeFilterSet):
    """`GET /ledger-discounts`: `q` matches the note, the numeric id or the contact name. Whether `contact_id` names
    a contact the user may see (404, 403) is the view's check, once the whole query is valid."""

    date_field = "transaction_date"

    contact_id = IdFilter(help_text="Only this contact's (it must exist in the business and be visible).")

    def search(self, queryset, name, value):
        return queryset.filter(matching(value, "additional_notes", "contact__name"))


class ContactLedgerDiscountFilter(LedgerDiscountFilter):
    contact_id = None  # fixed by the path: a contact_id in the query string is ignored


class ContactPaymentFilter(SearchFilterSet, DateRangeFilterSet):
    """`GET /contacts/{id}/payments`, over the rows the tab lists (parents and single-document payments): `q` matches
    the payment's references and note, the documents it or its children paid, or the numeric id. The summary reads
    every row of the date range, children included, not narrowed by `q` (`dated`)."""

    date_field = "paid_on"
    text_fields = (
        "payment_ref_no",
        "note",
        "method",
        "cheque_number",
        "card_transaction_number",
        "card_last4",
        "bank_account_number",
        "transaction__invoice_no",
        "transaction__ref_no",
        *(f"transaction_no_{i}" for i in range(1, 8)),
        "children__transaction__invoice_no",
        "children__transaction__ref_no",
    )

    def search(self, queryset, name, value):
        # by id: the join of the children would repeat a parent
        return queryset.filter(pk__in=queryset.filter(matching(value, *self.text_fields)).values("pk"))

    def dated(self, rows):
        """`rows` narrowed by the date range alone."""
        return self.in_date_range(rows, "start_date", None) if self.form.cleaned_data.get("start_date") else rows


class SupplierStockPageQuery(ListPageQuery):
    """The supplier stock report's page and format: 50 rows a page by default."""

    per_page = serializers.IntegerField(
        min_value=1,
        max_value=PER_PAGE_MAX,
        default=50,
        help_text="Rows per page, 1 to 100. Defaults to 50.",
        error_messages=ListPageQuery().fields["per_page"].error_messages,
    )


class SupplierStockFilter(SearchFilterSet):
    """`GET /contacts/{id}/supplier-stock`, over the variations the supplier's received lines hold (ledger.selectors.
    supplier_variations): `q` matches product name, variation name, variation template name, sub_sku, or the
    numeric variation id."""

    location_id = IdFilter(method="of_line_location")

    def of_line_location(self, queryset, name, value):
        # Through the wall's own join of the lines (an expression reuses it; a filter() on the relation would join
        # the lines a second time and multiply the report's sums).
        return queryset.alias(line_location=F("purchase_lines__location_id")).filter(line_location=value)

    def search(self, queryset, name, value):
        return queryset.filter(matching(value, "product__name", "name", "product__variation_template", "sub_sku"))
