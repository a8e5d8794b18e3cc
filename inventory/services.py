"""Writes to products and stock. Stock moves only through stock_add / stock_remove, which update the
row in one statement (so concurrent sells serialise on the row and stock never goes below zero unless
the business allows overselling)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from core.services.activity import log_created
from core.services.counters import next_count, padded
from inventory.models import Product, Unit, Variation, VariationLocationStock

DEFAULT_UNIT = "Pc(s)"
PRODUCT_FIELDS = ("name", "type", "sku", "unit", "enable_stock", "variation_template")


@dataclass
class InsufficientStock(Exception):
    variation: Variation
    location_id: int
    available: Decimal
    requested: Decimal

    def __str__(self):
        return (
            f"Not enough stock of {self.variation}: {format(self.available.normalize(), 'f')} available at "
            f"this location, {format(self.requested.normalize(), 'f')} requested."
        )


def unit_for(business, short_name: str | None) -> Unit:
    short_name = (short_name or DEFAULT_UNIT).strip() or DEFAULT_UNIT
    unit = Unit.objects.for_business(business).filter(short_name=short_name).first()
    if unit:
        return unit
    try:
        with transaction.atomic():
            return Unit.objects.create(business=business, short_name=short_name, actual_name=short_name)
    except IntegrityError:  # created by a concurrent request
        return Unit.objects.for_business(business).get(short_name=short_name)


def _taken_skus(business, skus) -> set[str]:
    return set(
        Variation.objects.for_business(business).filter(sub_sku__in=skus).values_list("sub_sku", flat=True)
    ) | set(Product.objects.for_business(business).filter(sku__in=skus).values_list("sku", flat=True))


def _generated_sku(business) -> str:
    while True:
        sku = f"SKU{padded(next_count(business, 'product_sku'))}"
        if not _taken_skus(business, [sku]):
            return sku


def product_create(*, business, user, data: dict) -> Product:
    """data: name, type, sku, unit, enable_stock, and purchase_price/sell_price (single) or
    variation_template/variations (variable), as validated by the API serializer."""
    product_type = data.get("type") or Product.Type.SINGLE
    with transaction.atomic():
        sku = (data.get("sku") or "").strip() or _generated_sku(business)
        if product_type == Product.Type.SINGLE:
            variations = [
                {
                    "name": Variation.SINGLE_NAME,
                    "sub_sku": sku,
                    "purchase_price": data["purchase_price"],
                    "sell_price": data["sell_price"],
                }
            ]
        else:
            variations = [
                {**v, "sub_sku": (v.get("sub_sku") or "").strip() or f"{sku}-{i}"}
                for i, v in enumerate(data["variations"], start=1)
            ]
        if _taken_skus(business, [sku]):
            raise ValidationError({"sku": [f"The sku {sku} has already been taken."]})
        # Only a single product's own variation shares the product's sku; every other sub_sku is its own.
        own = [v["sub_sku"] for v in variations if not (product_type == Product.Type.SINGLE and v["sub_sku"] == sku)]
        wanted = [sku, *own]
        taken = _taken_skus(business, own) | {s for s in wanted if wanted.count(s) > 1}
        errors = {
            f"variations.{i}.sub_sku": [f"The sub sku {v['sub_sku']} has already been taken."]
            for i, v in enumerate(variations)
            if v["sub_sku"] in taken and v["sub_sku"] in own
        }
        if errors:
            raise ValidationError(errors)
        product = Product.objects.create(
            business=business,
            name=data["name"],
            type=product_type,
            sku=sku,
            unit=unit_for(business, data.get("unit")),
            enable_stock=data.get("enable_stock", True),
            variation_template=data.get("variation_template") or "",
            created_by=user,
        )
        Variation.objects.bulk_create(
            [
                Variation(
                    business=business,
                    product=product,
                    name=v["name"],
                    sub_sku=v["sub_sku"],
                    default_purchase_price=v["purchase_price"],
                    default_sell_price=v["sell_price"],
                )
                for v in variations
            ]
        )
        log_created(business=business, user=user, instance=product, fields=PRODUCT_FIELDS)
    return product


def _stock_rows(variation, location_id):
    return VariationLocationStock.objects.filter(variation_id=variation.pk, location_id=location_id)


def stock_add(*, variation: Variation, location_id: int, quantity: Decimal):
    """Add (or, with a negative quantity, take without any check) stock at a location."""
    rows = _stock_rows(variation, location_id)
    if not rows.update(qty_available=F("qty_available") + quantity):
        VariationLocationStock.objects.bulk_create(
            [
                VariationLocationStock(
                    business_id=variation.business_id, variation_id=variation.pk, location_id=location_id
                )
            ],
            ignore_conflicts=True,
        )
        rows.update(qty_available=F("qty_available") + quantity)


def stock_remove(*, variation: Variation, location_id: int, quantity: Decimal, allow_negative: bool):
    """Take stock; raises InsufficientStock when less than `quantity` is on hand (unless allow_negative).
    The check and the update are one statement, so two requests can never both take the last unit."""
    if allow_negative:
        stock_add(variation=variation, location_id=location_id, quantity=-quantity)
        return
    if (
        not _stock_rows(variation, location_id)
        .filter(qty_available__gte=quantity)
        .update(qty_available=F("qty_available") - quantity)
    ):
        available = _stock_rows(variation, location_id).values_list("qty_available", flat=True).first()
        raise InsufficientStock(variation, location_id, available or Decimal(0), quantity)


def lock_stock(*, variation_ids, location_id: int):
    """Lock the stock rows of these variations at a location, in variation order. Services that also touch
    purchase lines call this first: the lock order everywhere is stock rows, then purchase lines."""
    list(
        VariationLocationStock.objects.select_for_update()
        .filter(variation_id__in=variation_ids, location_id=location_id)
        .order_by("variation_id")
        .values_list("pk", flat=True)
    )
