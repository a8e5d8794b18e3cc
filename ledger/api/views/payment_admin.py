from drf_spectacular.utils import OpenApiParameter, extend_schema

from core.api.permissions import BusinessAdmin
from core.api.schema import DeletedId, errors, object_envelope
from core.api.views import IntegrationViewSet
from ledger.models import TransactionPayment
from ledger.services.payments import payment_delete


@extend_schema(tags=["Payments"])
class PaymentViewSet(IntegrationViewSet):
    queryset = TransactionPayment.objects.none()
    export_stem = "payments"
    rules = {"destroy": BusinessAdmin()}

    def get_queryset(self):
        return TransactionPayment.objects.for_business(self.business)

    @extend_schema(
        summary="Delete a payment",
        description="Business admins only. A pay-due parent goes with all its allocations — to documents paid by the "
        "pay-due and to documents later paid from its advance — so those documents are due again, and its "
        "unallocated part comes off the contact's advance balance. Deleting one allocation puts its amount back "
        "into the advance balance. A payment's account movement goes with it. Payment statuses are recomputed in "
        "the same database transaction; 422 only if the advance balance would go negative, which the bookkeeping "
        "never allows.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Payment id.")],
        responses={200: object_envelope("PaymentDeletedResponse", DeletedId, message=True), **errors(403, 404, 422)},
    )
    def destroy(self, request, pk):
        payment = self.get_object()
        deleted = payment_delete(business=self.business, user=request.user, payment=payment)
        return self.message_response("Payment deleted successfully", {"id": deleted})
