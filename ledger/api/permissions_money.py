from core.api.permissions import Rule
from core.permissions import require_known
from ledger.services.pay_due import DUE_TYPES_VALID, default_due_type, due_permission

require_known("sell.payments", "purchase.payments")


class PayDuePermission(Rule):
    """POST /contacts/{id}/payments: sell.payments for sell and sell_return dues, purchase.payments for purchase
    and purchase_return dues; without due_payment_type, by the contact's type (RULES §4.1)."""

    def has_permission(self, request, view):
        return request.user.has_erp_perm("sell.payments", "purchase.payments")

    def has_object_permission(self, request, view, obj):
        data = request.data if isinstance(request.data, dict) else {}
        due_type = data.get("due_payment_type")
        if due_type not in DUE_TYPES_VALID:
            due_type = default_due_type(obj)
        return request.user.has_erp_perm(due_permission(due_type))

    def describe(self):
        return "`sell.payments` for sell and sell_return dues, `purchase.payments` for purchase and purchase_return"
