"""Purchase-line accounting for stock: a final sell's quantity is taken from the location's received
purchase lines first-in-first-out, and the mapping (sell line, purchase line, quantity) records it.
Returns and deletions give it back, latest purchase first. PurchaseLine.quantity_sold is kept equal to
the sum of its mapping rows; the supplier stock report and closing stock read it.

Each function works on a batch of lines with a fixed number of statements (one locking SELECT, bulk
writes, one CASE update), whatever the number of lines. Callers move stock rows first: the lock order is
stock rows, then purchase lines."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Value, When

from core.money import QUANTITY
from ledger.models import PurchaseLine, SellLine, SellLinePurchaseLine

FIFO_ORDER = ("transaction__transaction_date", "transaction_id", "id")


def _add_to_sold(deltas: dict[int, Decimal]):
    """quantity_sold += delta for each purchase line, in one statement."""
    if deltas:
        PurchaseLine.objects.filter(pk__in=deltas).update(
            quantity_sold=F("quantity_sold")
            + Case(
                *(When(pk=pk, then=Value(delta)) for pk, delta in deltas.items()), output_field=DecimalField(**QUANTITY)
            )
        )


def _save_links(changes: dict[tuple[int, int], Decimal]):
    """Apply quantity changes to (sell line, purchase line) links: create, grow, shrink or delete them."""
    if not changes:
        return
    sell_ids = {s for s, _ in changes}
    purchase_ids = {p for _, p in changes}
    existing = {
        (link.sell_line_id, link.purchase_line_id): link
        for link in SellLinePurchaseLine.objects.filter(sell_line_id__in=sell_ids, purchase_line_id__in=purchase_ids)
    }
    new, gone = [], []
    for key, delta in changes.items():
        link = existing.get(key)
        if link is None:
            new.append(SellLinePurchaseLine(sell_line_id=key[0], purchase_line_id=key[1], quantity=delta))
        elif link.quantity + delta == 0:
            gone.append(link.pk)
        else:
            SellLinePurchaseLine.objects.filter(pk=link.pk).update(quantity=F("quantity") + delta)
    SellLinePurchaseLine.objects.bulk_create(new)
    SellLinePurchaseLine.objects.filter(pk__in=gone).delete()


def allocate(items: list[tuple[SellLine, Decimal]], location_id: int) -> dict[int, Decimal]:
    """Map each (sell line, quantity) to the location's received purchase lines, oldest purchase first.
    Returns, per sell line, what could not be mapped (only possible when the business oversells)."""
    variation_ids = sorted({line.variation_id for line, _ in items})
    candidates = defaultdict(list)
    for purchase_line in (
        PurchaseLine.objects.select_for_update(of=("self",))
        .filter(variation_id__in=variation_ids, location_id=location_id, is_received=True)
        .annotate(on_hand=F("quantity") - F("quantity_sold") - F("quantity_returned"))
        .filter(on_hand__gt=0)
        .order_by("variation_id", *FIFO_ORDER)
        .only("id", "variation_id")
    ):
        candidates[purchase_line.variation_id].append([purchase_line.pk, purchase_line.on_hand])
    links: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    sold: dict[int, Decimal] = defaultdict(Decimal)
    unmapped = {}
    for line, quantity in items:
        left = quantity
        for entry in candidates[line.variation_id]:
            if left <= 0:
                break
            take = min(entry[1], left)
            if take <= 0:
                continue
            entry[1] -= take
            left -= take
            links[(line.pk, entry[0])] += take
            sold[entry[0]] += take
        unmapped[line.pk] = left
    _save_links(links)
    _add_to_sold(sold)
    return unmapped


def release(items: list[tuple[SellLine, Decimal]]) -> dict[int, Decimal]:
    """Each (sell line, quantity coming back from the customer), the line already carrying its new
    quantity_returned: give back mapped stock, latest purchase first, but only what the line's mapping holds
    beyond what it still sells. An oversold part (never mapped) comes back first, so the mapping stays equal
    to what the line really took from purchases. Returns, per sell line, what was not released."""
    by_line = defaultdict(list)
    for link in (
        SellLinePurchaseLine.objects.filter(sell_line_id__in=[line.pk for line, _ in items])
        .order_by("sell_line_id", *(f"-purchase_line__{f}" for f in FIFO_ORDER))
        .values_list("sell_line_id", "purchase_line_id", "quantity")
    ):
        by_line[link[0]].append(link)
    links: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    sold: dict[int, Decimal] = defaultdict(Decimal)
    unreleased = {}
    for line, quantity in items:
        mapped_total = sum((link[2] for link in by_line[line.pk]), Decimal(0))
        still_sold = line.quantity - line.quantity_returned
        releasable = min(quantity, max(Decimal(0), mapped_total - still_sold))
        left = releasable
        for sell_line_id, purchase_line_id, mapped in by_line[line.pk]:
            if left <= 0:
                break
            take = min(mapped, left)
            left -= take
            links[(sell_line_id, purchase_line_id)] -= take
            sold[purchase_line_id] -= take
        unreleased[line.pk] = quantity - (releasable - left)
    _save_links(links)
    _add_to_sold(sold)
    return unreleased


def release_all(lines: list[SellLine]):
    mapped = defaultdict(Decimal)
    for line_id, quantity in SellLinePurchaseLine.objects.filter(sell_line__in=lines).values_list(
        "purchase_line_id", "quantity"
    ):
        mapped[line_id] -= quantity
    _add_to_sold(mapped)
    SellLinePurchaseLine.objects.filter(sell_line__in=lines).delete()
