"""The payment methods (RULES §4), with the business's labels for its custom methods.

In `core` because both the ledger (its payments) and accounts (its reports of movements) name them."""

from django.db import models


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    CHEQUE = "cheque", "Cheque"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    OTHER = "other", "Other"
    CUSTOM_PAY_1 = "custom_pay_1", "Custom payment 1"
    CUSTOM_PAY_2 = "custom_pay_2", "Custom payment 2"
    CUSTOM_PAY_3 = "custom_pay_3", "Custom payment 3"
    CUSTOM_PAY_4 = "custom_pay_4", "Custom payment 4"
    CUSTOM_PAY_5 = "custom_pay_5", "Custom payment 5"
    CUSTOM_PAY_6 = "custom_pay_6", "Custom payment 6"
    CUSTOM_PAY_7 = "custom_pay_7", "Custom payment 7"
    ADVANCE = "advance", "Advance"


DEFAULT_LABELS = dict(PaymentMethod.choices)


def method_label(method: str, business) -> str:
    if method.startswith("custom_pay_"):
        custom = ((business.custom_labels or {}).get("payments") or {}).get(method)
        if custom:
            return custom
    return DEFAULT_LABELS.get(method, method)


def payment_methods(business) -> list[dict]:
    return [{"key": key, "label": method_label(key, business)} for key in DEFAULT_LABELS]
