"""Setting up a business: the business row, its locations, its admin role, and its switches."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import Business, BusinessLocation, Role
from core.models.business import MODULES
from core.money import CURRENCIES
from core.services.counters import next_count, padded


def business_create(*, name: str, currency_code: str = "USD", modules=(), time_zone: str = "UTC") -> Business:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A business name is required."})
    currency_code = (currency_code or "USD").upper()
    symbol, precision = CURRENCIES.get(currency_code, (currency_code, 2))
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        raise ValidationError({"modules": f"Unknown module: {', '.join(unknown)} (known: {', '.join(MODULES)})"})
    business = Business(
        name=name,
        currency_code=currency_code,
        currency_symbol=symbol,
        currency_precision=precision,
        enabled_modules=sorted(set(modules)),
        time_zone=time_zone,
    )
    with transaction.atomic():
        business.full_clean()
        business.save()
        Role.objects.create(business=business, name="Admin", is_admin=True, permissions=[])
    return business


def location_create(*, business: Business, name: str | None = None, **fields) -> BusinessLocation:
    with transaction.atomic():
        code = f"BL{padded(next_count(business, 'business_location'))}"
        location = BusinessLocation(business=business, location_code=code, name=name or f"Location {code}", **fields)
        location.full_clean()
        location.save()
    return location


def admin_role(business: Business) -> Role:
    return Role.objects.get(business=business, is_admin=True)


def business_settings_update(
    *,
    business: Business,
    enable_modules=(),
    disable_modules=(),
    subscription_status: str | None = None,
    allow_overselling: bool | None = None,
) -> Business:
    unknown = sorted((set(enable_modules) | set(disable_modules)) - set(MODULES))
    if unknown:
        raise ValidationError({"modules": f"Unknown module: {', '.join(unknown)} (known: {', '.join(MODULES)})"})
    modules = (set(business.enabled_modules or []) | set(enable_modules)) - set(disable_modules)
    business.enabled_modules = sorted(modules)
    if subscription_status is not None:
        business.subscription_status = subscription_status
    if allow_overselling is not None:
        business.allow_overselling = allow_overselling
    business.full_clean()
    business.save()
    return business


def business_settings_summary(business: Business) -> dict:
    return {
        "business_id": business.pk,
        "name": business.name,
        "currency_code": business.currency_code,
        "enabled_modules": list(business.enabled_modules or []),
        "subscription_status": business.subscription_status,
        "allow_overselling": business.allow_overselling,
    }
