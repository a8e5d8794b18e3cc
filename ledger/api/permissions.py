from contacts.models import Contact
from core.api.permissions import Rule
from core.permissions import require_known

require_known("sell.payments", "purchase.payments")


def payment_permissions(document) -> tuple[str, ...]:
    """RULES §4: sell.payments for sells and sell returns, purchase.payments for purchases and purchase returns;
    an opening balance by the contact's type (either for `both`)."""
    if document.type in ("sell", "sell_return"):
        return ("sell.payments",)
    if document.type in ("purchase", "purchase_return"):
        return ("purchase.payments",)
    return {Contact.Type.CUSTOMER: ("sell.payments",), Contact.Type.SUPPLIER: ("purchase.payments",)}.get(
        document.contact.type, ("sell.payments", "purchase.payments")
    )


class DocumentPaymentPermission(Rule):
    def has_permission(self, request, view):
        return request.user.has_erp_perm("sell.payments", "purchase.payments")

    def has_object_permission(self, request, view, obj):
        return request.user.has_erp_perm(*payment_permissions(obj))

    def describe(self):
        return (
            "`sell.payments` for sells and sell returns, `purchase.payments` for purchases and purchase returns; "
            "opening balances by the contact's type"
        )
