from django.db.models import Exists, OuterRef

from core.api.filtering import ChoiceFilter, IdFilter, SearchFilterSet, matching
from core.api.query import ObjectFormatQuery
from core.api.serializers import Id
from inventory.models import Product, Variation

STOCK_LOCATION_HELP = "Only stock rows of this location."


class ProductDetailQuery(ObjectFormatQuery):
    location_id = Id(required=False, help_text=STOCK_LOCATION_HELP)


class ProductFilter(SearchFilterSet):
    """`GET /products`: `q` matches the name, the sku, any variation's sub_sku or the numeric id."""

    type = ChoiceFilter(choices=Product.Type.choices)
    location_id = IdFilter(method="of_stock_location", help_text=STOCK_LOCATION_HELP)

    def of_stock_location(self, queryset, name, value):
        return queryset  # narrows each product's stock rows (the view's row context), not the products

    def search(self, queryset, name, value):
        sub_sku = Exists(Variation.objects.filter(product_id=OuterRef("pk"), sub_sku__icontains=value))
        return queryset.filter(matching(value, "name", "sku") | sub_sku)
