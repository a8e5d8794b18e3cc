from core.api.rows import RowShape
from ledger.api import serializers as s

PAYMENT_SHAPE = RowShape(s.PaymentRow)
SELL_SHAPE = RowShape(s.SellRow)
SELL_DETAIL_SHAPE = RowShape(s.SellDetail)
PURCHASE_SHAPE = RowShape(s.PurchaseRow)
PURCHASE_DETAIL_SHAPE = RowShape(s.PurchaseDetail)
RETURN_SHAPE = RowShape(s.ReturnRow)
SUPPLIER_STOCK_SHAPE = RowShape(s.SupplierStockRow)
