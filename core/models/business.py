import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from core.querysets import BusinessManager

MODULES = ("account", "subscription")
DATE_FORMATS = ("d-m-Y", "m-d-Y", "d/m/Y", "m/d/Y")


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone: {value}")


def validate_modules(value):
    if not isinstance(value, list) or any(m not in MODULES for m in value):
        raise ValidationError(f"Modules must be a list drawn from: {', '.join(MODULES)}")


class Business(models.Model):
    class SymbolPlacement(models.TextChoices):
        BEFORE = "before", "Before amount"
        AFTER = "after", "After amount"

    class Subscription(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"

    name = models.CharField(max_length=255)
    currency_code = models.CharField(max_length=3, default="USD", validators=[RegexValidator(r"^[A-Z]{3}$")])
    currency_symbol = models.CharField(max_length=8, default="$")
    currency_symbol_placement = models.CharField(
        max_length=6, choices=SymbolPlacement.choices, default=SymbolPlacement.BEFORE
    )
    currency_precision = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(4)])
    thousand_separator = models.CharField(max_length=1, default=",", blank=True)
    decimal_separator = models.CharField(max_length=1, default=".")
    date_format = models.CharField(max_length=8, choices=[(f, f) for f in DATE_FORMATS], default="m/d/Y")
    time_format = models.CharField(max_length=2, choices=[("24", "24 hour"), ("12", "12 hour")], default="24")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    enabled_modules = models.JSONField(default=list, blank=True, validators=[validate_modules])
    subscription_status = models.CharField(max_length=10, choices=Subscription.choices, default=Subscription.ACTIVE)
    allow_overselling = models.BooleanField(default=False)
    # Sell invoice numbers: this prefix + the business's invoice counter, 4 digits (INV0001).
    invoice_prefix = models.CharField(max_length=20, default="INV", blank=True)
    # {"contact": {"custom_field_1": "Region", ...}, "payments": {"custom_pay_1": "Voucher", ...}}
    custom_labels = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "businesses"

    def __str__(self):
        return self.name

    def has_module(self, module: str) -> bool:
        return module in (self.enabled_modules or [])

    def contact_custom_field_labels(self) -> dict[str, str | None]:
        labels = (self.custom_labels or {}).get("contact") or {}
        return {f"custom_field_{i}": labels.get(f"custom_field_{i}") for i in range(1, 11)}


class BusinessLocation(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="locations")
    location_code = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    landmark = models.CharField(max_length=255, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=100, blank=True, default="")
    zip_code = models.CharField(max_length=20, blank=True, default="")
    mobile = models.CharField(max_length=40, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    # {"cash": {"is_enabled": true, "account_id": 3}, "card": {...}}
    default_payment_accounts = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "location_code"], name="uniq_location_code_per_business")
        ]
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.location_code})"
