"""Sell and purchase returns: their rows, lines and request bodies."""

from collections import defaultdict

from rest_framework import serializers

from core.api.fields import DocumentDate, Money, Quantity
from core.api.rows import Batched
from core.api.serializers import Id, InputSerializer
from ledger.api.serializers.documents import require_lines
from ledger.models import PurchaseLine, SellLine, Transaction
from ledger.selectors import document_lines


class ReturnLineRow(serializers.Serializer):
    line_id = serializers.IntegerField(help_text="The sell line (or purchase line) returned.")
    variation_id = serializers.IntegerField()
    product_name = serializers.CharField()
    variation_name = serializers.CharField()
    sub_sku = serializers.CharField()
    quantity = Money(help_text="Quantity returned.")
    unit_price = Money()
    line_total = Money()


def return_lines(ids, ctx):
    """A return's lines are its parent's lines with a returned quantity."""
    out = defaultdict(list)
    parents = dict(Transaction.objects.filter(pk__in=ids).values_list("return_parent_id", "id"))
    for model, price in ((SellLine, "unit_price"), (PurchaseLine, "purchase_price")):
        for parent_id, lines in document_lines(model, price, list(parents)).items():
            for line in lines:
                if line["quantity_returned"] > 0:
                    out[parents[parent_id]].append(
                        {
                            "line_id": line["id"],
                            "variation_id": line["variation_id"],
                            "product_name": line["product_name"],
                            "variation_name": line["variation_name"],
                            "sub_sku": line["sub_sku"],
                            "quantity": line["quantity_returned"],
                            "unit_price": line[price],
                            "line_total": line["quantity_returned"] * line[price],
                        }
                    )
    return out


class ReturnRow(serializers.Serializer):
    id = serializers.IntegerField()
    invoice_no = serializers.CharField(allow_null=True, help_text="Sell returns: CN2026/0001.")
    ref_no = serializers.CharField(allow_null=True, help_text="Purchase returns: PR2026/0001.")
    return_parent_id = serializers.IntegerField()
    transaction_date = serializers.DateTimeField()
    final_total = Money()
    payment_status = serializers.CharField()
    lines = Batched(loader=return_lines, default=[], field=ReturnLineRow(many=True))


class SellReturnLineWrite(InputSerializer):
    sell_line_id = Id()
    quantity = Quantity(help_text="The total quantity returned of this line (not an increment).")


class SellReturnWrite(InputSerializer):
    transaction_date = DocumentDate()
    lines = SellReturnLineWrite(many=True)
    validate_lines = staticmethod(require_lines)
    discount_type = serializers.ChoiceField(choices=Transaction.DiscountType.choices, required=False, allow_null=True)
    discount_amount = Money(min_value=0, required=False, allow_null=True)


class PurchaseReturnLineWrite(InputSerializer):
    purchase_line_id = Id()
    quantity = Quantity(help_text="The total quantity returned of this line (not an increment).")


class PurchaseReturnWrite(InputSerializer):
    transaction_date = DocumentDate()
    lines = PurchaseReturnLineWrite(many=True)
    validate_lines = staticmethod(require_lines)
