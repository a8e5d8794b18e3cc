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
        description="Business admins only. A pay-due parent goes with its children (the documents they paid are "
        "due again) and its unallocated part comes off the contact's advance balance (refused with 422 when that "
        "advance has been spent). Deleting a child (an allocation) puts its amount back into the advance "
        "balance. Payment statuses are recomputed in the same database transaction.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Payment id.")],
        responses={200: object_envelope("PaymentDeletedResponse", DeletedId, message=True), **errors(403, 404, 422)},
    )
    def destroy(self, request, pk):
        payment = self.get_object()
        deleted = payment_delete(business=self.business, user=request.user, payment=payment)
        return self.message_response("Payment deleted successfully", {"id": deleted})
