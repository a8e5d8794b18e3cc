"""Sells and purchases: list, detail, create, return, and payments on one document."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action

from core.api.permissions import LocationPermitted, Perm
from core.api.query import ListPageQuery, ObjectFormatQuery
from core.api.schema import list_responses, object_envelope, object_responses, page_envelope
from core.api.views import IntegrationViewSet
from ledger import selectors
from ledger.api import filters
from ledger.api import serializers as s
from ledger.api.shapes import (
    PURCHASE_DETAIL_SHAPE,
    PURCHASE_SHAPE,
    RETURN_SHAPE,
    SELL_DETAIL_SHAPE,
    SELL_SHAPE,
    payment_row,
)
from ledger.models import Transaction
from ledger.services.payments import payment_add
from ledger.services.purchases import purchase_create, purchase_return_save
from ledger.services.sells import sell_create, sell_return_save

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
PaymentResponse = object_envelope("PaymentResponse", s.PaymentRow, message=True)
ReturnResponse = object_envelope("ReturnResponse", s.ReturnRow)


class DocumentViewSet(IntegrationViewSet):
    queryset = Transaction.objects.none()
    doc_type: str
    row_shape = detail_shape = None
    create_service = return_service = None
    write_serializer = return_serializer = None

    def get_queryset(self):
        return selectors.visible_documents(self.request.user, self.doc_type)

    def detail_row(self, document) -> dict:
        rows = Transaction.objects.filter(pk=document.pk).with_paid().with_return_exists()
        return self.detail_shape.one(rows, self.row_context())

    def list(self, request):
        documents, query = self.filtered_list(self.get_queryset())
        return self.page_response(selectors.listed_documents(documents), self.row_shape, query)

    def retrieve(self, request, pk):
        document = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        return self.object_response(self.detail_row(document), query, stem=f"{self.doc_type}-{document.pk}")

    def create(self, request):
        data = self.validated_body(self.write_serializer)
        document = self.create_service(business=self.business, user=request.user, data=data)
        return self.object_response(
            self.detail_row(document), message=f"{self.doc_type.capitalize()} added successfully", status=201
        )

    @action(detail=True, methods=["post"])  # marks a custom action for the schema; routes are in urls.py
    def returns(self, request, pk):
        document = self.get_object()
        data = self.validated_body(self.return_serializer)
        ret = self.return_service(business=self.business, user=request.user, **{self.doc_type: document}, data=data)
        return self.object_response(
            RETURN_SHAPE.one(Transaction.objects.filter(pk=ret.pk), self.row_context()), status=201
        )

    @action(detail=True, methods=["post"])
    def payments(self, request, pk):
        document = self.get_object()
        data = self.validated_body(s.PaymentWrite)
        payment = payment_add(business=self.business, user=request.user, document=document, data=data)
        row = payment_row(payment, self.row_context())
        return self.object_response(row, message="Payment added successfully", status=201)


PAYMENT_DOC = (
    "Rules: drafts and quotations take no payments (422); method `advance` draws on the contact's advance balance "
    "(422 when it is short); an amount above the document's due is refused (422) for every method. The payment "
    "status is recomputed in the same database transaction. `account_id` (optional) must be an open payment "
    "account the user can see (422 otherwise); the payment then posts its movement on that account in the same "
    "database transaction (a credit for money in, a debit for money out; RULES §4)."
)
RETURN_DOC = (
    "Creates the document's one return, or updates it when it exists (201 either way, with the return). Each "
    "listed line's returned quantity becomes the quantity sent (a total, not an increment, so a retried request "
    "changes nothing); lines not listed keep theirs."
)


@extend_schema(tags=["Sells"])
@extend_schema_view(
    list=extend_schema(
        summary="List sells",
        description="Newest first. Permitted locations always apply; users with `view_own_sell_only` see only "
        "sells they created. `q` matches the invoice number, the contact name or the numeric id.",
        parameters=[ListPageQuery],
        responses=list_responses(page_envelope("SellListResponse", s.SellRow), 403, 422),
    ),
    retrieve=extend_schema(
        summary="Get sell",
        parameters=[ID, ObjectFormatQuery],
        responses=object_responses(object_envelope("SellResponse", s.SellDetail), 403, 404),
    ),
    create=extend_schema(
        summary="Add sell",
        description="final_total = round(Σ quantity × unit_price − discount + shipping_charges, business "
        "precision). Only final sells move stock (refused with 422 naming the variation when short, unless the "
        "business allows overselling) and take payments. A final sell's quantities are allocated to the "
        "location's received purchase lines first-in-first-out. With `is_recurring` the sell is a subscription parent "
        "(the `subscription` module, a final sell, a valid schedule; 422 otherwise) numbered `2026/0001` in "
        "`subscription_no`; its invoices are generated on schedule (see Subscriptions).",
        request=s.SellWrite,
        responses=object_responses(
            object_envelope("SellWriteResponse", s.SellDetail, message=True), 403, 422, csv=False, status=201
        ),
    ),
    returns=extend_schema(
        summary="Return sell",
        description=RETURN_DOC + " Returned quantities go back to stock.",
        parameters=[ID],
        request=s.SellReturnWrite,
        responses=object_responses(ReturnResponse, 403, 404, 422, csv=False, status=201),
    ),
    payments=extend_schema(
        summary="Add sell payment",
        description=PAYMENT_DOC,
        parameters=[ID],
        request=s.PaymentWrite,
        responses=object_responses(PaymentResponse, 403, 404, 422, csv=False, status=201),
    ),
)
class SellViewSet(DocumentViewSet):
    doc_type = "sell"
    export_stem = "sells"
    row_shape, detail_shape = SELL_SHAPE, SELL_DETAIL_SHAPE
    write_serializer, return_serializer = s.SellWrite, s.SellReturnWrite
    filterset_classes = {"list": filters.SellFilter}
    create_service, return_service = staticmethod(sell_create), staticmethod(sell_return_save)
    rules = {
        "list": [Perm("sell.view", "direct_sell.access"), LocationPermitted()],
        "retrieve": Perm("sell.view", "direct_sell.access"),
        "create": [Perm("sell.create", "direct_sell.access"), LocationPermitted()],
        "returns": Perm("access_sell_return", "sell.create"),
        "payments": Perm("sell.payments"),
    }


@extend_schema(tags=["Purchases"])
@extend_schema_view(
    list=extend_schema(
        summary="List purchases",
        description="Newest first. Permitted locations always apply; users with `view_own_purchase` but not "
        "`purchase.view` see only purchases they created. `q` matches the reference number, the contact name or "
        "the numeric id.",
        parameters=[ListPageQuery],
        responses=list_responses(page_envelope("PurchaseListResponse", s.PurchaseRow), 403, 422),
    ),
    retrieve=extend_schema(
        summary="Get purchase",
        parameters=[ID, ObjectFormatQuery],
        responses=object_responses(object_envelope("PurchaseResponse", s.PurchaseDetail), 403, 404),
    ),
    create=extend_schema(
        summary="Add purchase",
        description="Only received purchases add stock; all three statuses count toward supplier dues.",
        request=s.PurchaseWrite,
        responses=object_responses(
            object_envelope("PurchaseWriteResponse", s.PurchaseDetail, message=True), 403, 422, csv=False, status=201
        ),
    ),
    returns=extend_schema(
        summary="Return purchase",
        description=RETURN_DOC + " Stock goes down; a line cannot return more than is still on "
        "hand from it (bought − sold).",
        parameters=[ID],
        request=s.PurchaseReturnWrite,
        responses=object_responses(ReturnResponse, 403, 404, 422, csv=False, status=201),
    ),
    payments=extend_schema(
        summary="Add purchase payment",
        description=PAYMENT_DOC,
        parameters=[ID],
        request=s.PaymentWrite,
        responses=object_responses(PaymentResponse, 403, 404, 422, csv=False, status=201),
    ),
)
class PurchaseViewSet(DocumentViewSet):
    doc_type = "purchase"
    export_stem = "purchases"
    row_shape, detail_shape = PURCHASE_SHAPE, PURCHASE_DETAIL_SHAPE
    write_serializer, return_serializer = s.PurchaseWrite, s.PurchaseReturnWrite
    filterset_classes = {"list": filters.PurchaseFilter}
    create_service, return_service = staticmethod(purchase_create), staticmethod(purchase_return_save)
    rules = {
        "list": [Perm("purchase.view", "view_own_purchase"), LocationPermitted()],
        "retrieve": Perm("purchase.view", "view_own_purchase"),
        "create": [Perm("purchase.create"), LocationPermitted()],
        "returns": Perm("purchase.update", "purchase.create"),
        "payments": Perm("purchase.payments"),
    }
