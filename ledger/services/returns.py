"""What sell returns and purchase returns share: checking the requested lines, and saving the parent's one return
document (created on the first request, updated on later ones)."""

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import BusinessRuleViolation
from core.services.activity import log_created, logged_update
from ledger.models import Transaction
from ledger.services.numbering import document_number
from ledger.services.payment_status import refresh_payment_status, total_paid
from ledger.services.totals import document_totals

# the parent's type -> (its return's type, the return's number field)
RETURN_OF = {
    Transaction.Type.SELL: (Transaction.Type.SELL_RETURN, "invoice_no"),
    Transaction.Type.PURCHASE: (Transaction.Type.PURCHASE_RETURN, "ref_no"),
}


def checked_return_lines(
    requested: list[dict], lines: dict, *, key: str, document: str, returnable: Callable, too_many: str
) -> list[tuple[int, object, Decimal]]:
    """(index, line, quantity) of each requested line: listed once, a line of this document, and at most
    `returnable(line)` (422 on `lines.N.<key>` / `lines.N.quantity` otherwise)."""
    seen, out = set(), []
    for index, item in enumerate(requested):
        pk = item[key]
        if pk in seen:
            raise ValidationError({f"lines.{index}.{key}": ["This line is listed twice."]})
        seen.add(pk)
        line = lines.get(pk)
        if line is None:
            raise ValidationError({f"lines.{index}.{key}": [f"Not a line of this {document}."]})
        limit = returnable(line)
        if item["quantity"] > limit:
            raise ValidationError({f"lines.{index}.quantity": [f"{too_many} ({format(limit.normalize(), 'f')})."]})
        out.append((index, line, item["quantity"]))
    return out


def return_save(
    *, business, user, parent: Transaction, existing, subtotal, discount: dict, when, fields, refunded: str
) -> Transaction:
    """Create the parent's return, or update `existing`: totals from `subtotal` and `discount`
    ({discount_type, discount_amount}), dated `when` (a new one: now when absent), due on its date. An update may
    not fall below what was already refunded on it (`refunded`: the 422 message). Logged with `fields`."""
    _, final_total = document_totals(
        subtotal=subtotal, **discount, shipping_charges=None, precision=business.currency_precision
    )
    if existing is None:
        kind, number_field = RETURN_OF[parent.type]
        ret = Transaction(
            business=business,
            location_id=parent.location_id,
            type=kind,
            status=Transaction.Status.FINAL,
            contact_id=parent.contact_id,
            return_parent=parent,
            transaction_date=when or timezone.now(),
            created_by=user,
            **{number_field: document_number(business, kind, number_field)},
        )
        _fill(ret, subtotal, final_total, discount)
        ret.save()
        log_created(business=business, user=user, instance=ret, fields=fields)
    else:
        ret = existing
        with logged_update(business=business, user=user, instance=ret, fields=fields):
            if when:
                ret.transaction_date = when
            _fill(ret, subtotal, final_total, discount)
            if total_paid(ret) > ret.final_total:
                raise BusinessRuleViolation(refunded)
            ret.save()
    refresh_payment_status(ret)
    return ret


def _fill(ret: Transaction, subtotal, final_total, discount: dict):
    ret.total_before_tax = subtotal
    ret.discount_type = discount["discount_type"]
    ret.discount_amount = discount["discount_amount"] or 0
    ret.final_total = final_total
    ret.due_date = ret.transaction_date
    ret.payment_status = ret.payment_status or Transaction.PaymentStatus.DUE
