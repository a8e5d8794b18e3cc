"""How the back office shows values: every amount in the business currency format, right-aligned (one helper),
the activity trail as "field: old → new", and label/value lists (account details) as a small table."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.money import format_currency

EMPTY = "–"
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def money(value, business) -> str:
    """An amount as the admin shows it everywhere: `$ 1,234.50` (RULES §10), right-aligned in its cell."""
    if value is None or value == "":
        return EMPTY
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return format_html("{}", value)
    negative = " money-negative" if amount < 0 else ""
    return format_html('<span class="money{}">{}</span>', negative, format_currency(amount, business))


def money_field(field: str, description: str | None = None, *, business=lambda obj: obj.business, ordering=True):
    """A ModelAdmin/inline display callable for an amount field (or annotation) of the row:
    `list_display = (..., money_field("final_total", "total"))`."""

    def display(*args):
        obj = args[-1]  # called as a ModelAdmin method (self, obj) or as a plain callable (obj)
        if obj is None or obj.pk is None:
            return EMPTY
        return money(getattr(obj, field, None), business(obj))

    display.__name__ = f"{field}_money"
    return admin.display(
        description=description or field.replace("_", " "), ordering=field if ordering is True else ordering
    )(display)


def quantity(value) -> str:
    """A quantity without the stored scale's trailing zeros: `2`, `1.5`."""
    if value is None:
        return EMPTY
    text = format(Decimal(value).normalize(), "f")
    return format_html('<span class="number">{}</span>', text)


# --- the activity trail -------------------------------------------------------------------------------------------

#: attribute names shown with a friendlier label in the trail
FIELD_LABELS = {
    "dob": "date of birth",
    "contact_status": "status",
    "customer_group_id": "customer group",
    "selling_price_group_id": "selling price group",
    "account_type_id": "account type",
    "created_by_id": "created by",
    "location_id": "location",
    "contact_id": "contact ID",
}


def _is_amount(field) -> bool:
    """A decimal field that holds money: not a quantity, not a customer group's percentage."""
    if not isinstance(field, models.DecimalField) or field.name.startswith(("qty", "quantity")):
        return False
    return not (field.model._meta.model_name == "customergroup" and field.name == "amount")


def _plain_value(value, field=None, business=None) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(field, models.ForeignKey):
        return f"#{value}"  # the row's id (its name may have changed since): see the link on the record's page
    if business is not None and _is_amount(field):
        try:
            return format_currency(Decimal(str(value)), business)
        except (InvalidOperation, ValueError):
            pass
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(moment) else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        if isinstance(value, list) and all(isinstance(v, dict) and "label" in v for v in value):
            return "; ".join(f"{v.get('label')}: {v.get('value')}" for v in value) or "(empty)"
        return (
            ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else ", ".join(map(str, value))
        )
    return str(value)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def _field(model, key):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - a key that is no field (extra context, a renamed column)
        return None


def activity_changes(properties: dict | None, model=None, business=None, limit: int | None = None) -> str:
    """`name: Old Ltd → New Ltd` per changed field; the new values of a creation; other context as `key: value`.
    With the subject's model and business, amounts read as money and moments in the local time."""
    properties = properties or {}
    new = properties.get("attributes") or {}
    old = properties.get("old") or {}
    percentage = "percentage" in (new.get("discount_type"), old.get("discount_type"))

    def _plain(value, key=None):
        if key == "discount_amount" and percentage and value not in (None, ""):
            return f"{value} %"
        return _plain_value(value, _field(model, key) if key else None, business)

    items = []
    labels = {}
    for key in [*new, *old]:
        field = _field(model, key)
        if isinstance(field, models.ForeignKey) or (field is not None and key not in FIELD_LABELS):
            labels[key] = str(field.verbose_name)
        else:
            labels[key] = field_label(key)
    if old or new:
        for key in list(new) + [k for k in old if k not in new]:
            if key in old and key in new:
                items.append((labels[key], _plain(old[key], key), " → ", _plain(new[key], key)))
            elif key in new:
                if old or new[key] not in (None, "", [], {}, False):  # a creation lists what was filled in
                    items.append((labels[key], "", "", _plain(new[key], key)))
            else:
                items.append((labels[key], _plain(old[key], key), " → ", "(removed)"))
    extra = [(field_label(k), "", "", _plain(v)) for k, v in properties.items() if k not in ("attributes", "old")]
    rows = items + extra
    if not rows:
        return EMPTY
    if limit is not None and len(rows) > limit + 1:
        rows = [*rows[:limit], (f"… and {len(rows) - limit} more", "", "", "")]
    return format_html(
        '<ul class="activity-changes">{}</ul>',
        format_html_join("", '<li><span class="activity-field">{}:</span> <del>{}</del>{}<ins>{}</ins></li>', rows),
    )


def label_value_table(details) -> str:
    """`[{"label": "BIC", "value": "NWBKGB2L"}]` as a two-column table."""
    if not details:
        return EMPTY
    if isinstance(details, dict):
        details = [{"label": k, "value": v} for k, v in details.items()]
    rows = ((d.get("label", ""), d.get("value", "")) if isinstance(d, dict) else ("", d) for d in details)
    return format_html(
        '<table class="label-value"><tbody>{}</tbody></table>',
        format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
    )
