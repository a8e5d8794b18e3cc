from rest_framework import serializers

from core.api.query import ListQuery
from core.api.serializers import Id
from inventory.models import Product


class ProductListQuery(ListQuery):
    type = serializers.ChoiceField(choices=Product.Type.choices, required=False)
    location_id = Id(required=False, help_text="Only stock rows of this location.")
