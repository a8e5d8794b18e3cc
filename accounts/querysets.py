from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from core.money import MONEY
from core.querysets import BusinessQuerySet

ZERO = Value(0, output_field=DecimalField(**MONEY))
SIGNED = Case(When(type="debit", then=-F("amount")), default=F("amount"), output_field=DecimalField(**MONEY))


def accounts_enabled_on(locations) -> set[int]:
    """Account ids enabled in the default_payment_accounts ({method: {is_enabled, account_id}}) of locations."""
    ids = set()
    for settings in locations.values_list("default_payment_accounts", flat=True):
        for entry in (settings or {}).values():
            if not isinstance(entry, dict) or not entry.get("is_enabled") or entry.get("is_enabled") in ("0", 0):
                continue
            account = entry.get("account_id", entry.get("account"))
            if str(account or "").isdigit():
                ids.add(int(account))
    return ids


class AccountQuerySet(BusinessQuerySet):
    def visible_to(self, user):
        """Admins and users with access_all_locations see every account of the business; others the accounts
        enabled as default payment accounts on their permitted locations (RULES §9)."""
        from core.models import BusinessLocation

        accounts = self.for_business(user.business)
        permitted = user.permitted_location_ids()
        if permitted is None:
            return accounts
        return accounts.filter(pk__in=accounts_enabled_on(BusinessLocation.objects.filter(pk__in=permitted)))

    def open(self):
        return self.filter(is_closed=False)

    def with_balance(self, before=None):
        """balance = Σ credit − Σ debit of the account's movements (those before `before`, when given)."""
        from accounts.models import AccountTransaction

        movements = AccountTransaction.objects.filter(account_id=OuterRef("pk"))
        if before is not None:
            movements = movements.filter(operation_date__lt=before)
        total = movements.order_by().values("account_id").annotate(total=Sum(SIGNED)).values("total")
        return self.annotate(balance=Coalesce(Subquery(total, output_field=DecimalField(**MONEY)), ZERO))
