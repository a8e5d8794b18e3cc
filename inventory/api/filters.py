from rest_framework import serializers

from core.api.query import ListQuery, ObjectFormatQuery
from core.api.serializers import Id
from inventory.models import Product


class ProductDetailQuery(ObjectFormatQuery):
    location_id = Id(required=False, help_text="Only stock rows of this location.")


class ProductListQuery(ListQuery):
    type = serializers.ChoiceField(choices=Product.Type.choices, required=False)
    location_id = Id(required=False, help_text="Only stock rows of this location.")
