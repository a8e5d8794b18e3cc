from inventory.models import Product


def product_list(*, business):
    """The business's products by id (inventory.api.filters.ProductFilter narrows them)."""
    return Product.objects.for_business(business).order_by("id")
