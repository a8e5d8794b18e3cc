from decimal import Decimal

from django.core.exceptions import ValidationError

from core.money import MONEY_LIMIT, round_money

TOO_LARGE = f"The document's total must stay below {MONEY_LIMIT:,.0f}."


def document_totals(
    *,
    subtotal: Decimal,
    discount_type: str | None,
    discount_amount: Decimal | None,
    shipping_charges: Decimal | None,
    precision: int,
) -> tuple[Decimal, Decimal]:
    """(discount, final_total): final_total = round(Σ lines − discount + shipping, business precision)."""
    discount_amount = discount_amount or Decimal(0)
    if discount_type == "percentage":
        if not 0 <= discount_amount <= 100:
            raise ValidationError({"discount_amount": ["A percentage discount must be between 0 and 100."]})
        discount = subtotal * discount_amount / 100
    else:
        discount = discount_amount
    if max(subtotal, discount, shipping_charges or 0) >= MONEY_LIMIT:
        raise ValidationError({"lines": [TOO_LARGE]})
    final_total = round_money(subtotal - discount + (shipping_charges or Decimal(0)), precision)
    if final_total >= MONEY_LIMIT:
        raise ValidationError({"lines": [TOO_LARGE]})
    if final_total < 0:
        raise ValidationError({"discount_amount": ["The discount is larger than the total."]})
    return discount, final_total
