from rest_framework import serializers

from core.api.query import DateRangeQuery, ListFormatQuery, ListQuery, PageQuery, SearchQuery
from core.api.serializers import Id

PAYMENT_STATUSES = ["paid", "due", "partial", "overdue"]


class DocumentListQuery(ListQuery, DateRangeQuery):
    location_id = Id(required=False, help_text="Only this location (one of the user's permitted locations).")
    contact_id = Id(required=False)
    payment_status = serializers.ChoiceField(
        choices=PAYMENT_STATUSES,
        required=False,
        help_text="paid, due, partial, or overdue (due or partial, with a pay term, past the due date).",
    )


class SellListQuery(DocumentListQuery):
    created_by = Id(required=False)
    status = serializers.ChoiceField(choices=["final", "draft", "quotation"], required=False)
    is_direct_sale = serializers.BooleanField(required=False, allow_null=True, default=None)
    only_shipments = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only sells with shipping charges (there is no shipping status in this system).",
    )


class PurchaseListQuery(DocumentListQuery):
    status = serializers.ChoiceField(choices=["received", "pending", "ordered"], required=False)


class ContactSellListQuery(SellListQuery):
    contact_id = None  # fixed by the path


class ContactPurchaseListQuery(PurchaseListQuery):
    contact_id = None  # fixed by the path


class SupplierStockQuery(PageQuery, SearchQuery, ListFormatQuery):
    per_page = serializers.IntegerField(
        min_value=1,
        max_value=100,
        default=50,
        help_text="Rows per page, 1 to 100. Defaults to 50.",
        error_messages={
            "min_value": "The per page field must be between 1 and 100.",
            "max_value": "The per page field must be between 1 and 100.",
            "invalid": "The per page field must be an integer.",
        },
    )
    location_id = Id(required=False)
