"""The payment methods (RULES §4), with the business's labels for its custom methods."""

from ledger.models import TransactionPayment

DEFAULT_LABELS = dict(TransactionPayment.Method.choices)


def method_label(method: str, business) -> str:
    if method.startswith("custom_pay_"):
        custom = ((business.custom_labels or {}).get("payments") or {}).get(method)
        if custom:
            return custom
    return DEFAULT_LABELS.get(method, method)


def payment_methods(business) -> list[dict]:
    return [{"key": key, "label": method_label(key, business)} for key in DEFAULT_LABELS]
