"""The permission catalog: every permission name the system knows, in one place.

Roles hold names from this catalog; API rules, the admin and the management commands
check names against it, so a misspelt name fails loudly wherever it is used.
"""

from django.core.exceptions import ImproperlyConfigured

CATALOG: dict[str, str] = {
    "customer.view": "View all customers",
    "customer.view_own": "View own customers (created by or shared with the user)",
    "customer.create": "Add customers",
    "customer.update": "Edit customers",
    "customer.delete": "Delete customers",
    "supplier.view": "View all suppliers",
    "supplier.view_own": "View own suppliers (created by or shared with the user)",
    "supplier.create": "Add suppliers",
    "supplier.update": "Edit suppliers",
    "supplier.delete": "Delete suppliers",
    "sell.view": "View all sells",
    "sell.create": "Add sells",
    "sell.update": "Edit sells",
    "sell.delete": "Delete sells",
    "sell.payments": "Add payments on sells and sell returns",
    "direct_sell.access": "Access direct sells",
    "view_own_sell_only": "View only own sells",
    "access_sell_return": "Access sell returns",
    "purchase.view": "View all purchases",
    "purchase.create": "Add purchases",
    "purchase.update": "Edit purchases",
    "purchase.delete": "Delete purchases",
    "purchase.payments": "Add payments on purchases and purchase returns",
    "view_own_purchase": "View only own purchases",
    "product.view": "View products",
    "product.create": "Add products",
    "account.access": "Access payment accounts",
    "access_all_locations": "Access all business locations",
}

ALL_PERMISSIONS = frozenset(CATALOG)

CHOICES = [(name, f"{name} — {label}") for name, label in CATALOG.items()]


class UnknownPermission(ValueError):
    pass


def check_names(names) -> list[str]:
    """Return the names as a sorted list, or raise UnknownPermission for any name not in the catalog."""
    names = list(names)
    unknown = sorted(set(names) - ALL_PERMISSIONS)
    if unknown:
        raise UnknownPermission(f"Unknown permission: {', '.join(unknown)}")
    return sorted(set(names))


def require_known(*names: str) -> tuple[str, ...]:
    """For code that declares permissions at import time: an unknown name is a configuration error."""
    try:
        check_names(names)
    except UnknownPermission as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    return names
