from collections import defaultdict

from rest_framework import serializers

from core.api.fields import Money
from core.api.rows import Batched
from core.api.serializers import InputSerializer, Text
from inventory.models import Product, Variation, VariationLocationStock


class StockRow(serializers.Serializer):
    location_id = serializers.IntegerField()
    location_name = serializers.CharField()
    qty_available = Money()


class VariationRow(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The variation's value (L, Red…); a single product's is its product name.")
    sub_sku = serializers.CharField()
    default_purchase_price = Money()
    default_sell_price = Money()
    stock = StockRow(
        many=True,
        help_text="Stock per location (only the `location_id` one when filtered, and only "
        "locations the user is permitted on).",
    )


def variations_of(product_ids, context) -> dict[int, list[dict]]:
    """The variations of a page of products with their stock per location: two queries for the page."""
    permitted = context["user"].permitted_location_ids()
    stock = VariationLocationStock.objects.filter(variation__product_id__in=product_ids).order_by("location_id")
    if permitted is not None:
        stock = stock.filter(location_id__in=permitted)
    if context.get("location_id"):
        stock = stock.filter(location_id=context["location_id"])
    by_variation = defaultdict(list)
    for row in stock.values("variation_id", "location_id", "location__name", "qty_available"):
        by_variation[row["variation_id"]].append(
            {
                "location_id": row["location_id"],
                "location_name": row["location__name"],
                "qty_available": row["qty_available"],
            }
        )
    out = defaultdict(list)
    rows = (
        Variation.objects.filter(product_id__in=product_ids)
        .order_by("id")
        .values("id", "product_id", "product__name", "name", "sub_sku", "default_purchase_price", "default_sell_price")
    )
    for v in rows:
        out[v["product_id"]].append(
            {
                "id": v["id"],
                "name": v["product__name"] if v["name"] == Variation.SINGLE_NAME else v["name"],
                "sub_sku": v["sub_sku"],
                "default_purchase_price": v["default_purchase_price"],
                "default_sell_price": v["default_sell_price"],
                "stock": by_variation.get(v["id"], []),
            }
        )
    return out


class ProductRow(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=Product.Type.choices)
    sku = serializers.CharField()
    unit = serializers.CharField(source="unit.short_name")
    enable_stock = serializers.BooleanField()
    variation_template = serializers.CharField(
        help_text="Beyond the contract: the varying attribute (Size); empty for single products."
    )
    created_at = serializers.DateTimeField()
    variations = Batched(loader=variations_of, default=[], field=VariationRow(many=True))


class VariationWrite(InputSerializer):
    name = serializers.CharField(max_length=191)
    sub_sku = Text(help_text="Unique in the business; `<sku>-<n>` when empty.")
    purchase_price = Money(min_value=0)
    sell_price = Money(min_value=0)


class ProductWrite(InputSerializer):
    name = serializers.CharField(max_length=255)
    type = serializers.ChoiceField(choices=Product.Type.choices, default=Product.Type.SINGLE)
    sku = Text(help_text="Unique in the business; SKU0001… when empty.")
    unit = Text(max_length=50, help_text="Unit short name, created on first use. Default `Pc(s)`.")
    enable_stock = serializers.BooleanField(default=True)
    purchase_price = Money(min_value=0, required=False, help_text="Required for single products.")
    sell_price = Money(min_value=0, required=False, help_text="Required for single products.")
    variation_template = Text(max_length=100, help_text="Required for variable products, e.g. `Size`.")
    variations = VariationWrite(many=True, required=False, help_text="Required for variable products: at least one.")

    def validate(self, attrs):
        errors = {}
        if attrs.get("type", Product.Type.SINGLE) == Product.Type.SINGLE:
            for field in ("purchase_price", "sell_price"):
                if attrs.get(field) is None:
                    errors[field] = [f"The {field.replace('_', ' ')} field is required for a single product."]
        else:
            if not attrs.get("variation_template"):
                errors["variation_template"] = ["The variation template field is required for a variable product."]
            if not attrs.get("variations"):
                errors["variations"] = ["A variable product needs at least one variation."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
