from core.api.rows import RowShape
from ledger.api import serializers as s

PAYMENT_SHAPE = RowShape(s.PaymentRow)
SELL_SHAPE = RowShape(s.SellRow)
SELL_DETAIL_SHAPE = RowShape(s.SellDetail)
PURCHASE_SHAPE = RowShape(s.PurchaseRow)
PURCHASE_DETAIL_SHAPE = RowShape(s.PurchaseDetail)
RETURN_SHAPE = RowShape(s.ReturnRow)
SUPPLIER_STOCK_SHAPE = RowShape(s.SupplierStockRow)


def payment_row(payment, context) -> dict:
    """A payment as the API answers its creation. An `advance` payment drawn from several earlier advances is
    recorded as one allocation per advance: the row is the first, with the whole amount and every piece listed in
    child_payments."""
    from ledger.models import TransactionPayment

    row = PAYMENT_SHAPE.one(TransactionPayment.objects.filter(pk=payment.pk), context)
    pieces = getattr(payment, "pieces", [payment])
    if len(pieces) > 1:
        rows = list(PAYMENT_SHAPE.rows(TransactionPayment.objects.filter(pk__in=[p.pk for p in pieces]), context))
        row["amount"] = sum((p.amount for p in pieces), type(payment.amount)(0))
        row["child_payments"] = [
            {k: r[k] for k in ("id", "amount", "method", "method_label", "paid_on", "payment_ref_no")} for r in rows
        ]
    return row
