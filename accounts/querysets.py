from django.db.models import Case, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from accounts.balance_marks import EPOCH
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
        """balance = Σ credit − Σ debit of the account's movements (those before `before`, when given). Without
        `before`, through the latest month-end snapshot whose balance of the account is valid (no stale mark of
        every account's balances, or of this account's, dated before it): its balance plus the movements since, in
        the same statement; with no such snapshot, every movement. Both give the same number to the last digit."""
        from accounts.models import AccountTransaction, BalanceSnapshot, BalanceSnapshotAccount, BalanceStaleMark

        movements = AccountTransaction.objects.filter(account_id=OuterRef("pk"))
        if before is not None:
            total = movements.filter(operation_date__lt=before).order_by().values("account_id")
            total = total.annotate(total=Sum(SIGNED)).values("total")
            return self.annotate(balance=Coalesce(Subquery(total, output_field=DecimalField(**MONEY)), ZERO))
        stale = BalanceStaleMark.objects.filter(business_id=OuterRef("business_id"), stale_from__lt=OuterRef("before"))
        stale = stale.exclude(part=BalanceStaleMark.Part.DUES).filter(
            Q(account__isnull=True) | Q(account_id=OuterRef(OuterRef("pk")))  # every account's, or this one's
        )
        valid = BalanceSnapshot.objects.filter(business_id=OuterRef("business_id"), location=None).exclude(
            Exists(stale)
        )
        latest = valid.order_by("-before")[:1]
        accounts = self.alias(
            snapshot_id=Subquery(latest.values("pk")),
            snapshot_before=Coalesce(Subquery(latest.values("before")), Value(EPOCH)),
        )
        held = BalanceSnapshotAccount.objects.filter(snapshot_id=OuterRef("snapshot_id"), account_id=OuterRef("pk"))
        since = movements.filter(operation_date__gte=OuterRef("snapshot_before")).order_by().values("account_id")
        since = since.annotate(total=Sum(SIGNED)).values("total")
        money = DecimalField(**MONEY)
        return accounts.annotate(
            balance=ExpressionWrapper(
                Coalesce(Subquery(held.values("balance"), output_field=money), ZERO)
                + Coalesce(Subquery(since, output_field=money), ZERO),
                output_field=money,
            )
        )
