"""Ledger discounts (contacts-api.txt, RULES §7): read by anyone who can read the contact's ledger; created the
same way (demo mode refuses); changed and deleted by business admins only."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied

from contacts.models import Contact
from contacts.permissions import CONTACT_READ, ContactVisible, is_visible
from core.api.permissions import BusinessAdmin, NotDemoMode
from core.api.query import ListPageQuery, ObjectFormatQuery
from core.api.rows import RowShape
from core.api.schema import DeletedId, errors, list_responses, object_envelope, object_responses, page_envelope
from core.api.views import IntegrationViewSet
from ledger import selectors
from ledger.api import filters
from ledger.api import money_serializers as m
from ledger.models import Transaction
from ledger.services.ledger_discounts import (
    ledger_discount_create,
    ledger_discount_delete,
    ledger_discount_update,
)

DISCOUNT_SHAPE = RowShape(m.LedgerDiscountRow)
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Ledger discount id.")
CONTACT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Contact id.")
DiscountResponse = object_envelope("LedgerDiscountResponse", m.LedgerDiscountRow)
DiscountWriteResponse = object_envelope("LedgerDiscountWriteResponse", m.LedgerDiscountRow, message=True)
DiscountList = page_envelope("LedgerDiscountListResponse", m.LedgerDiscountRow)


class DiscountListMixin:
    def discount_page(self, *, contact=None, stem="ledger-discounts"):
        discounts = selectors.ledger_discounts(business=self.business, user=self.request.user, contact=contact)
        rows, query = self.filtered_list(discounts)
        if query.get("contact_id"):  # once the query is valid: 404 or 403 for a contact the filter may not name
            self.visible_contact(query["contact_id"])
        return self.page_response(rows, DISCOUNT_SHAPE, query, stem=stem)

    def visible_contact(self, contact_id) -> Contact:
        """A contact named in the request: 404 outside the business, 403 when the user may not see it."""
        contact = Contact.objects.for_business(self.business).filter(pk=contact_id).first()
        if contact is None:
            raise Http404
        if not is_visible(self.request.user, contact):
            raise PermissionDenied()
        return contact


@extend_schema(tags=["Ledger discounts"])
class LedgerDiscountViewSet(DiscountListMixin, IntegrationViewSet):
    queryset = Transaction.objects.none()
    export_stem = "ledger-discounts"
    rules = {
        "list": CONTACT_READ,
        "retrieve": [CONTACT_READ, ContactVisible()],
        "create": [NotDemoMode(), CONTACT_READ],
        "update": [NotDemoMode(), BusinessAdmin(), ContactVisible()],
        "destroy": [NotDemoMode(), BusinessAdmin(), ContactVisible()],
    }
    filterset_classes = {"list": filters.LedgerDiscountFilter}

    def get_queryset(self):
        return Transaction.objects.for_business(self.business).filter(type=Transaction.Type.LEDGER_DISCOUNT)

    def contact_of(self, discount):
        return discount.contact

    def row(self, discount) -> dict:
        return DISCOUNT_SHAPE.one(Transaction.objects.filter(pk=discount.pk), self.row_context())

    @extend_schema(
        summary="List ledger discounts",
        description="Ledger discounts of the contacts the user may see, newest first. `q` matches the note, the "
        "numeric id or the contact name; start_date and end_date (both or neither) filter transaction_date.",
        parameters=[ListPageQuery],
        responses=list_responses(
            DiscountList, 403, 404, 422, e404="The `contact_id` filter names no contact of the business."
        ),
    )
    def list(self, request):
        return self.discount_page()

    @extend_schema(
        summary="Get ledger discount",
        parameters=[ID, ObjectFormatQuery],
        responses=object_responses(DiscountResponse, 403, 404),
    )
    def retrieve(self, request, pk):
        discount = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        return self.object_response(self.row(discount), query, stem=f"ledger-discount-{discount.pk}")

    @extend_schema(
        summary="Add ledger discount",
        description="`sub_type` is sell_discount for customers and purchase_discount for suppliers (sending the "
        "other one is 422); a customer-and-supplier contact must send one. The discount has no location and no "
        "payment status; `note` is stored as the document's note.",
        request=m.LedgerDiscountWrite,
        responses=object_responses(
            DiscountWriteResponse,
            403,
            404,
            422,
            csv=False,
            status=201,
            e404="`contact_id` names no contact of the business.",
        ),
    )
    def create(self, request):
        data = self.validated_body(m.LedgerDiscountWrite)
        contact = self.visible_contact(data.pop("contact_id"))
        discount = ledger_discount_create(business=self.business, user=request.user, contact=contact, data=data)
        return self.object_response(self.row(discount), message="Ledger discount added successfully", status=201)

    @extend_schema(
        summary="Update ledger discount",
        description="Business admins only. PUT takes `date` and `amount` (required, as the reference says) and "
        "`note` and `sub_type` (optional); PATCH updates only the fields sent (beyond the reference).",
        parameters=[ID],
        request=m.LedgerDiscountUpdate,
        responses=object_responses(DiscountWriteResponse, 403, 404, 422, csv=False),
    )
    def update(self, request, pk):
        discount = self.get_object()
        data = self.validated_body(m.LedgerDiscountUpdate, partial=request.method == "PATCH")
        discount = ledger_discount_update(business=self.business, user=request.user, discount=discount, data=data)
        return self.object_response(self.row(discount), message="Ledger discount updated successfully")

    @extend_schema(
        summary="Delete ledger discount",
        description="Business admins only.",
        parameters=[ID],
        responses={200: object_envelope("LedgerDiscountDeletedResponse", DeletedId, message=True), **errors(403, 404)},
    )
    def destroy(self, request, pk):
        discount = self.get_object()
        deleted = ledger_discount_delete(business=self.business, user=request.user, discount=discount)
        return self.message_response("Ledger discount deleted successfully", {"id": deleted})


@extend_schema(tags=["Ledger discounts"])
class ContactLedgerDiscountViewSet(DiscountListMixin, IntegrationViewSet):
    queryset = Contact.objects.none()
    export_stem = "contact-ledger-discounts"
    rules = {"list": [CONTACT_READ, ContactVisible()]}
    filterset_classes = {"list": filters.ContactLedgerDiscountFilter}

    def get_queryset(self):
        return Contact.objects.for_business(self.business)

    @extend_schema(
        summary="List contact ledger discounts",
        description="GET /ledger-discounts with the contact fixed by the path (a `contact_id` in the query string is "
        "ignored).",
        parameters=[CONTACT_ID, ListPageQuery],
        responses=list_responses(DiscountList, 403, 404, 422),
    )
    def list(self, request, pk):
        contact = self.get_object()
        return self.discount_page(contact=contact, stem=f"contact-{contact.pk}-ledger-discounts")
