"""Purchase-line accounting for stock: a final sell's quantity is taken from the location's received
purchase lines first-in-first-out, and the mapping (sell line, purchase line, quantity) records it.
Returns and deletions give it back, latest purchase first. PurchaseLine.quantity_sold is kept equal to
the sum of its mapping rows; the supplier stock report and closing stock read it."""

from decimal import Decimal

from django.db.models import F

from ledger.models import PurchaseLine, SellLine, SellLinePurchaseLine


def allocate(sell_line: SellLine, quantity: Decimal, location_id: int) -> Decimal:
    """Map `quantity` of the sell line to purchase lines, oldest purchase first. Returns what could not be
    mapped (only possible when the business oversells)."""
    left = quantity
    candidates = (
        PurchaseLine.objects.select_for_update(of=("self",))
        .filter(variation_id=sell_line.variation_id, location_id=location_id, is_received=True)
        .annotate(on_hand=F("quantity") - F("quantity_sold") - F("quantity_returned"))
        .filter(on_hand__gt=0)
        .order_by("transaction__transaction_date", "transaction_id", "id")
    )
    for line in candidates:
        if left <= 0:
            break
        take = min(line.on_hand, left)
        link, created = SellLinePurchaseLine.objects.get_or_create(
            sell_line=sell_line, purchase_line=line, defaults={"quantity": take}
        )
        if not created:
            SellLinePurchaseLine.objects.filter(pk=link.pk).update(quantity=F("quantity") + take)
        PurchaseLine.objects.filter(pk=line.pk).update(quantity_sold=F("quantity_sold") + take)
        left -= take
    return left


def release(sell_line: SellLine, quantity: Decimal) -> Decimal:
    """Give back `quantity` of the sell line's mapped stock, latest purchase first. Returns what was not
    mapped in the first place (an oversold part)."""
    left = quantity
    links = (
        SellLinePurchaseLine.objects.select_related("purchase_line")
        .filter(sell_line=sell_line)
        .order_by(
            "-purchase_line__transaction__transaction_date", "-purchase_line__transaction_id", "-purchase_line_id"
        )
    )
    for link in links:
        if left <= 0:
            break
        take = min(link.quantity, left)
        if take == link.quantity:
            link.delete()
        else:
            SellLinePurchaseLine.objects.filter(pk=link.pk).update(quantity=F("quantity") - take)
        PurchaseLine.objects.filter(pk=link.purchase_line_id).update(quantity_sold=F("quantity_sold") - take)
        left -= take
    return left


def release_all(sell_line: SellLine):
    for link in SellLinePurchaseLine.objects.filter(sell_line=sell_line):
        PurchaseLine.objects.filter(pk=link.purchase_line_id).update(quantity_sold=F("quantity_sold") - link.quantity)
    SellLinePurchaseLine.objects.filter(sell_line=sell_line).delete()
