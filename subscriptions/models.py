"""Recurring sells (RULES §8). A subscription is a final sell with `is_recurring` (its schedule lives on the sell
itself, in the ledger's fields); this app records what the schedule has produced and when it was stopped.

- `SubscriptionPeriod`: one row per billed period, written in the same transaction as the invoice it produced. The
  unique (parent, period date) constraint is what makes a second invoice for a period impossible, whatever runs
  twice or at once. The row stays when its invoice is deleted (the period was billed once; it is not billed again).
- `SubscriptionPause`: a stop that was resumed, so that the periods that fell due while stopped stay skipped.
- `SubscriptionSchedule`: the generator's index of when each subscription next falls due (null: nothing to do,
  stopped or finished), kept by every write that changes it; the generator finds its work with one indexed query.
"""

from django.db import models
from django.db.models import Q

from core.querysets import BusinessManager
from ledger.models import Transaction
from ledger.querysets import TransactionQuerySet


class SubscriptionManager(models.Manager.from_queryset(TransactionQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(type=Transaction.Type.SELL, is_recurring=True)


class Subscription(Transaction):
    """A recurring parent sell, for the subscriptions pages of the back office."""

    objects = SubscriptionManager()

    class Meta:
        proxy = True
        verbose_name = "subscription"


class SubscriptionPeriod(models.Model):
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="subscription_periods")
    # k: the period is the parent's date + k × interval (RULES §8, no drift); skipped periods keep their k.
    sequence = models.PositiveIntegerField()
    period_date = models.DateField()
    invoice = models.OneToOneField(
        Transaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="subscription_period"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessManager()

    class Meta:
        ordering = ["parent_id", "period_date"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "period_date"], name="one_invoice_per_period"),
            models.UniqueConstraint(fields=["parent", "sequence"], name="one_invoice_per_sequence"),
        ]

    def __str__(self):
        return f"{self.parent_id} #{self.sequence} {self.period_date}"


class SubscriptionPause(models.Model):
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="subscription_pauses")
    stopped_on = models.DateTimeField()
    resumed_on = models.DateTimeField()

    objects = BusinessManager()

    class Meta:
        ordering = ["parent_id", "stopped_on"]
        indexes = [models.Index(fields=["parent", "stopped_on"], name="subscription_pause_idx")]

    def __str__(self):
        return f"{self.parent_id}: {self.stopped_on} – {self.resumed_on}"


class SubscriptionSchedule(models.Model):
    parent = models.OneToOneField(Transaction, on_delete=models.CASCADE, primary_key=True, related_name="+")
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    next_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessManager()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_date"],
                include=["business"],
                condition=Q(next_date__isnull=False),
                name="subscription_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.parent_id}: next {self.next_date}"
