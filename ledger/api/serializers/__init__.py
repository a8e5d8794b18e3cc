"""Response shapes and request bodies of sells, purchases, returns and payments (supporting-api.md), one module per
seam: `documents` (sells, purchases, their lines, supplier stock), `payments`, `returns`. The views use the
names below as `serializers.X`."""

from ledger.api.serializers.documents import (
    PurchaseDetail,
    PurchaseRow,
    PurchaseWrite,
    SellDetail,
    SellRow,
    SellWrite,
    SupplierStockRow,
)
from ledger.api.serializers.payments import PaymentMethodRow, PaymentRow, PaymentWrite
from ledger.api.serializers.returns import PurchaseReturnWrite, ReturnRow, SellReturnWrite

__all__ = [
    "PaymentMethodRow",
    "PaymentRow",
    "PaymentWrite",
    "PurchaseDetail",
    "PurchaseReturnWrite",
    "PurchaseRow",
    "PurchaseWrite",
    "ReturnRow",
    "SellDetail",
    "SellReturnWrite",
    "SellRow",
    "SellWrite",
    "SupplierStockRow",
]
