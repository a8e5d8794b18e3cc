from django.db import models
from django.db.models import Q

from core.money import MONEY, QUANTITY
from core.querysets import BusinessManager


class Unit(models.Model):
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="units")
    short_name = models.CharField(max_length=50)
    actual_name = models.CharField(max_length=100, blank=True, default="")
    allow_decimal = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "short_name"], name="uniq_unit_per_business")]
        ordering = ["id"]

    def __str__(self):
        return self.short_name


class Product(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", "Single"
        VARIABLE = "variable", "Variable"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.SINGLE)
    sku = models.CharField(max_length=191)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="products")
    enable_stock = models.BooleanField(default=True)
    # The varying attribute of a variable product ("Size"); empty for single products.
    variation_template = models.CharField(max_length=100, blank=True, default="")
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessManager()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["business", "sku"], name="uniq_product_sku")]
        indexes = [models.Index(fields=["business", "name"], name="product_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.sku})"


class Variation(models.Model):
    """What is bought, sold and stocked. A single product has one, named DUMMY (shown as the product name)."""

    SINGLE_NAME = "DUMMY"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variations")
    name = models.CharField(max_length=191)
    sub_sku = models.CharField(max_length=191)
    default_purchase_price = models.DecimalField(**MONEY)
    default_sell_price = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessManager()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["business", "sub_sku"], name="uniq_variation_sub_sku")]

    def __str__(self):
        if self.name == self.SINGLE_NAME:
            return f"{self.product.name} ({self.sub_sku})"
        return f"{self.product.name} - {self.name} ({self.sub_sku})"


class VariationLocationStock(models.Model):
    """Stock on hand of one variation at one location; moved only by inventory.services."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    variation = models.ForeignKey(Variation, on_delete=models.CASCADE, related_name="stock")
    location = models.ForeignKey("core.BusinessLocation", on_delete=models.CASCADE, related_name="+")
    qty_available = models.DecimalField(default=0, **QUANTITY)

    objects = BusinessManager()

    class Meta:
        verbose_name = "stock level"
        constraints = [
            models.UniqueConstraint(fields=["variation", "location"], name="uniq_stock_per_location"),
        ]
        indexes = [
            models.Index(fields=["location", "variation"], condition=Q(qty_available__gt=0), name="stock_on_hand_idx")
        ]

    def __str__(self):
        return f"{self.variation}: {format(self.qty_available.normalize(), 'f')} at {self.location.name}"
