from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from contacts.permissions import is_visible
from core.api.permissions import Authenticated
from core.api.query import ListFormatQuery
from core.api.schema import envelope, list_responses, object_responses
from core.api.views import IntegrationViewSet
from core.payment_methods import payment_methods
from ledger import selectors
from ledger.api import serializers as s
from ledger.api.permissions import DocumentPaymentPermission
from ledger.api.shapes import payment_row
from ledger.api.views.documents import PAYMENT_DOC, PaymentResponse
from ledger.models import Transaction
from ledger.services.payments import PAYABLE, payment_add


@extend_schema(tags=["Payments"])
class TransactionPaymentViewSet(IntegrationViewSet):
    queryset = Transaction.objects.none()
    export_stem = "payments"
    rules = {"create": DocumentPaymentPermission()}

    def get_object(self):
        """Any payable document the user may see (404 otherwise); then the payment permission for its type (403)."""
        document = (
            Transaction.objects.for_business(self.business)
            .select_related("contact")
            .filter(pk=self.kwargs["pk"], type__in=PAYABLE)
            .first()
        )
        if document is None:
            raise Http404
        if document.type == "opening_balance":
            visible = is_visible(self.request.user, document.contact)
        else:
            visible = selectors.visible_documents(self.request.user, document.type).filter(pk=document.pk).exists()
        if not visible:
            raise Http404
        self.check_object_permissions(self.request, document)
        return document

    @extend_schema(
        summary="Add a payment to any document",
        description="Any payable document: sell, purchase, sell_return, purchase_return, opening_balance. "
        + PAYMENT_DOC,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Transaction id.")],
        request=s.PaymentWrite,
        responses=object_responses(PaymentResponse, 403, 404, 422, csv=False, status=201),
    )
    def create(self, request, pk):
        document = self.get_object()
        data = self.validated_body(s.PaymentWrite)
        payment = payment_add(business=self.business, user=request.user, document=document, data=data)
        row = payment_row(payment, self.row_context())
        return self.object_response(row, message="Payment added successfully", status=201)


@extend_schema(tags=["Payments"])
class PaymentMethodViewSet(IntegrationViewSet):
    export_stem = "payment-methods"
    rules = {"list": Authenticated()}

    @extend_schema(
        summary="List payment methods",
        description="Every method a payment may use, with the business's labels for custom_pay_1…7. `advance` "
        "draws on the contact's advance balance.",
        parameters=[ListFormatQuery],
        responses=list_responses(envelope("PaymentMethodsResponse", data=s.PaymentMethodRow(many=True)), 403, 422),
    )
    def list(self, request):
        query = self.validated_query(ListFormatQuery)
        rows = payment_methods(self.business)
        if query["format"] != "json":
            return self.export_response(["key", "label"], rows, query["format"])
        return Response({"data": rows})
