"""Contact-bound document views: /contacts/{id}/sells, /purchases and /supplier-stock (served by the ledger)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from contacts.models import Contact
from contacts.permissions import contact_on_side
from core.api.permissions import LocationPermitted, Perm
from core.api.query import ListPageQuery
from core.api.schema import list_responses, page_envelope
from core.api.views import IntegrationViewSet
from ledger import selectors
from ledger.api import filters
from ledger.api import serializers as s
from ledger.api.shapes import PURCHASE_SHAPE, SELL_SHAPE, SUPPLIER_STOCK_SHAPE

CONTACT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Contact id.")
CONTACT_ERRORS = {
    "e404": "No such contact in the business.",
    "e422": "The contact is not of the right type, or the query string failed validation.",
}


@extend_schema(tags=["Contacts"])
class ContactDocumentsViewSet(IntegrationViewSet):
    queryset = Contact.objects.none()
    export_stem = "contact"
    rules = {
        "sells": [Perm("sell.view", "direct_sell.access"), LocationPermitted()],
        "purchases": [Perm("purchase.view", "view_own_purchase"), LocationPermitted()],
        "supplier_stock": [Perm("supplier.view", "supplier.view_own"), LocationPermitted()],
    }
    filterset_classes = {
        "sells": filters.ContactSellFilter,
        "purchases": filters.ContactPurchaseFilter,
        "supplier_stock": filters.SupplierStockFilter,
    }

    def contact_for(self, side: str) -> Contact:
        return contact_on_side(self.request.user, self.kwargs["pk"], side)

    def documents_of(self, contact, doc_type: str):
        """The contact's documents the user may see, narrowed by the action's FilterSet; and the query."""
        visible = selectors.visible_documents(self.request.user, doc_type).filter(contact=contact)
        documents, query = self.filtered_list(visible)
        return selectors.listed_documents(documents), query

    @extend_schema(
        summary="List contact sells",
        description="GET /sells with `contact_id` fixed by the path; the contact must be visible and a customer "
        "or both.",
        parameters=[CONTACT_ID, ListPageQuery],
        responses=list_responses(page_envelope("ContactSellListResponse", s.SellRow), 403, 404, 422, **CONTACT_ERRORS),
    )
    def sells(self, request, pk):
        contact = self.contact_for("customer")
        rows, query = self.documents_of(contact, "sell")
        return self.page_response(rows, SELL_SHAPE, query, stem=f"contact-{contact.pk}-sells")

    @extend_schema(
        summary="List contact purchases",
        description="GET /purchases with `contact_id` fixed by the path; the contact must be visible and a "
        "supplier or both.",
        parameters=[CONTACT_ID, ListPageQuery],
        responses=list_responses(
            page_envelope("ContactPurchaseListResponse", s.PurchaseRow), 403, 404, 422, **CONTACT_ERRORS
        ),
    )
    def purchases(self, request, pk):
        contact = self.contact_for("supplier")
        rows, query = self.documents_of(contact, "purchase")
        return self.page_response(rows, PURCHASE_SHAPE, query, stem=f"contact-{contact.pk}-purchases")

    @extend_schema(
        summary="Supplier stock report",
        description="Per variation, what this supplier's received purchase lines hold. Quantities sold come from "
        "the FIFO allocation of sells to purchase lines, so a sell line split over two purchase lines counts once. "
        "Ordered by product and variation name. `q` matches product name, variation name, variation template "
        "name, sub_sku, or the numeric variation id.",
        parameters=[CONTACT_ID, filters.SupplierStockPageQuery],
        responses=list_responses(
            page_envelope(
                "SupplierStockResponse",
                s.SupplierStockRow,
                meta_fields={
                    "location_id": serializers.IntegerField(allow_null=True),
                    "q": serializers.CharField(allow_null=True),
                },
            ),
            403,
            404,
            422,
            **CONTACT_ERRORS,
        ),
    )
    def supplier_stock(self, request, pk):
        contact = self.contact_for("supplier")
        variations = selectors.supplier_variations(business=self.business, supplier=contact)
        variations, query = self.filtered_list(variations, filters.SupplierStockPageQuery)
        rows = selectors.supplier_stock(variations)
        return self.page_response(
            rows,
            SUPPLIER_STOCK_SHAPE,
            query,
            stem=f"supplier-stock-{contact.pk}",
            meta={"location_id": query.get("location_id"), "q": query.get("q")},
        )
