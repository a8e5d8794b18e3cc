from django.db.models import Case, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from accounts.balance_marks import BalanceRowQuerySet
from core.money import MONEY
from core.querysets import BusinessQuerySet

ZERO = Value(0, output_field=DecimalField(**MONEY))


def paid_subquery(outer_ref: str = "pk"):
    """Σ payments of a document (change-return payments count negative), as a correlated subquery."""
    from ledger.models import TransactionPayment

    signed = Case(When(is_return=True, then=-F("amount")), default=F("amount"))
    return Coalesce(
        Subquery(
            TransactionPayment.objects.filter(transaction_id=OuterRef(outer_ref))
            .order_by()
            .values("transaction_id")
            .annotate(total=Sum(signed))
            .values("total"),
            output_field=DecimalField(**MONEY),
        ),
        ZERO,
    )


class TransactionQuerySet(BalanceRowQuerySet, BusinessQuerySet):
    def of_type(self, *types):
        return self.filter(type__in=types)

    def in_locations(self, location_ids: set[int] | None):
        """Permitted locations: None means every location."""
        return self if location_ids is None else self.filter(location_id__in=location_ids)

    def with_paid(self):
        return self.annotate(total_paid=paid_subquery()).annotate(total_due=F("final_total") - F("total_paid"))

    def with_paid_joined(self, before=None):
        """total_paid and total_due by joining and grouping the payments once, for questions over many documents
        at a time (sums, filters on what is due); with_paid's per-row subquery suits a page of rows. With `before`,
        only payments made before that moment count (what was due then)."""
        signed = Case(When(payments__is_return=True, then=-F("payments__amount")), default=F("payments__amount"))
        paid = Sum(signed, filter=Q(payments__paid_on__lt=before)) if before is not None else Sum(signed)
        return self.annotate(total_paid=Coalesce(paid, ZERO)).annotate(total_due=F("final_total") - F("total_paid"))

    def with_return_exists(self):
        from ledger.models import Transaction

        # `return_parent IS NOT NULL` lets PostgreSQL use the small partial index of returns whatever the plan.
        returns = Transaction.objects.filter(return_parent_id=OuterRef("pk"), return_parent__isnull=False)
        return self.annotate(return_exists=Exists(returns))

    def counting_toward_dues(self):
        """Documents that count toward dues and ledgers (RULES §3): sells only when final."""
        return self.exclude(Q(type="sell") & ~Q(status="final"))
