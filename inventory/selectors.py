from django.db.models import Exists, OuterRef, Q

from core.api.serializers import numeric_id
from inventory.models import Product, Variation


def product_list(*, business, q=None, product_type=None):
    products = Product.objects.for_business(business)
    if q:
        match = (
            Q(name__icontains=q)
            | Q(sku__icontains=q)
            | Exists(Variation.objects.filter(product_id=OuterRef("pk"), sub_sku__icontains=q))
        )
        if numeric_id(q) is not None:
            match |= Q(pk=numeric_id(q))
        products = products.filter(match)
    if product_type:
        products = products.filter(type=product_type)
    return products.order_by("id")
