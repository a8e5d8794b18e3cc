"""Payment accounts (bank and cash), the money side of the books (RULES §9). Nothing here points into the ledger:
a payment points at its account and at the account transaction it posted."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from accounts.balance_marks import BalanceRow, BalanceRowQuerySet
from accounts.querysets import AccountQuerySet
from core.money import MONEY
from core.querysets import BusinessManager, BusinessQuerySet


class MovementQuerySet(BalanceRowQuerySet, BusinessQuerySet):
    pass


class AccountType(models.Model):
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="account_types")
    name = models.CharField(max_length=191)
    # One level: a type may have a parent, and a parent has none.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessManager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


class Account(models.Model):
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(max_length=191)
    account_number = models.CharField(max_length=191)
    account_type = models.ForeignKey(
        AccountType, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts"
    )
    note = models.TextField(null=True, blank=True, validators=[MaxLengthValidator(2000)])
    # [{"label": "IBAN", "value": "..."}, ...]
    account_details = models.JSONField(null=True, blank=True)
    is_closed = models.BooleanField(default=False)
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = models.Manager.from_queryset(AccountQuerySet)()

    class Meta:
        verbose_name = "payment account"
        ordering = ["id"]
        indexes = [models.Index(fields=["business", "is_closed"], name="account_closed_idx")]

    def __str__(self):
        return f"{self.name} ({self.account_number})"


class AccountTransaction(BalanceRow):
    """A movement on an account: credit adds to its balance, debit takes from it."""

    class Type(models.TextChoices):
        CREDIT = "credit", "Credit"
        DEBIT = "debit", "Debit"

    class SubType(models.TextChoices):
        OPENING_BALANCE = "opening_balance", "Opening balance"
        DEPOSIT = "deposit", "Deposit"
        FUND_TRANSFER = "fund_transfer", "Fund transfer"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="transactions")
    type = models.CharField(max_length=6, choices=Type.choices)
    sub_type = models.CharField(max_length=20, choices=SubType.choices, null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    operation_date = models.DateTimeField()
    note = models.TextField(null=True, blank=True)
    # The paired leg of a deposit from another account or of a fund transfer (each leg points at the other).
    transfer_transaction = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # For movements posted by a payment: which document and payment (plain ids: accounts never point into the
    # ledger), and the payment's reference and method as they were recorded.
    transaction_id = models.BigIntegerField(null=True, blank=True)
    transaction_payment_id = models.BigIntegerField(null=True, blank=True, unique=True)
    payment_ref_no = models.CharField(max_length=191, null=True, blank=True)
    payment_method = models.CharField(max_length=20, null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = models.Manager.from_queryset(MovementQuerySet)()

    balance_date_field = "operation_date"
    balance_part = "accounts"
    balance_scope_field = "account"
    balance_fields = frozenset({"business", "business_id", "account", "account_id", "type", "amount", "operation_date"})

    class Meta:
        ordering = ["operation_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="account_transaction_amount_positive")]
        indexes = [
            # covering: every per-account sum (balances, the ledger's beginning balance) reads the index alone
            models.Index(
                fields=["account", "operation_date", "id"], include=["type", "amount"], name="account_ledger_idx"
            ),
            models.Index(fields=["business", "operation_date", "id"], name="cash_flow_idx"),
        ]

    def __str__(self):
        from core.money import format_currency

        return f"{self.get_type_display()} of {format_currency(self.amount, self.business)} on {self.account.name}"


# --- balance snapshots (reports in O(accounts)) -----------------------------------------------------------------


class BalanceScope(models.Model):
    """Per business: how far snapshots may reach (`horizon`, raised by a build before it reads anything) and
    `version`, raised by every build. A balance write dated before the horizon leaves a BalanceStaleMark."""

    business = models.OneToOneField("core.Business", on_delete=models.CASCADE, primary_key=True, related_name="+")
    horizon = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"balance scope of business {self.business_id} (horizon {self.horizon})"


class BalanceStaleMark(models.Model):
    """A balance-changing write dated `stale_from`, before the horizon: the `part` it changed (the dues — of `contact`
    alone when set —, the account balances — of `account` alone when set —, or both) of every snapshot taken after
    that moment is invalid until the next build consumes the mark.

    An exact mark (a dues mark with `customer_delta` and `supplier_delta`) is left by rows inserted in a transaction:
    it says by how much the contact's dues in every snapshot after `stale_from` fall short (the rows' own dues, from
    the same engine), so the reports add it to the contact's part instead of reading the contact's rows again. A
    build that cannot tell whether it saw the rows of an exact mark makes it plain (clears the two amounts)."""

    class Part(models.TextChoices):
        DUES = "dues", "Customer and supplier dues"
        ACCOUNTS = "accounts", "Account balances"
        BOTH = "both", "Both"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    stale_from = models.DateTimeField()
    part = models.CharField(max_length=8, choices=Part.choices, default=Part.BOTH)
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this account's balance is stale (account balances); empty: every account's.",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this contact's dues are stale (dues); empty: every contact's.",
    )
    customer_delta = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Exact mark: what the contact's customer due gained from then on."
    )
    supplier_delta = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Exact mark: what the contact's supplier due gained from then on."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["business", "stale_from"], name="balance_stale_idx")]

    def __str__(self):
        return f"stale from {self.stale_from} (business {self.business_id})"


class BalanceSnapshot(models.Model):
    """Closing figures of a month (in the business's time zone): the customer and supplier dues of everything
    dated before `before` (the next month's local midnight), for the whole business (location null) or for one
    location as the location-filtered reports count it. The whole-business row also has its account balances."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("core.BusinessLocation", on_delete=models.CASCADE, null=True, related_name="+")
    period_end = models.DateField(help_text="The last day of the month, local time.")
    before = models.DateTimeField()
    customer_due = models.DecimalField(**MONEY)
    supplier_due = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "before"], condition=Q(location__isnull=True), name="uniq_snapshot_business"
            ),
            models.UniqueConstraint(
                fields=["business", "location", "before"],
                condition=Q(location__isnull=False),
                name="uniq_snapshot_location",
            ),
        ]
        indexes = [models.Index(fields=["business", "location", "before"], name="snapshot_lookup_idx")]

    def __str__(self):
        return f"balances of {self.period_end} (business {self.business_id}, location {self.location_id})"


class BalanceSnapshotAccount(models.Model):
    """One account's balance in a whole-business snapshot (accounts without movements have no row: zero)."""

    snapshot = models.ForeignKey(BalanceSnapshot, on_delete=models.CASCADE, related_name="accounts")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    balance = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "account"], name="uniq_snapshot_account")]

    def __str__(self):
        return f"{self.account_id}: {self.balance}"


class BalanceSnapshotContact(models.Model):
    """One contact's dues in a whole-business snapshot: what it adds to the snapshot's customer_due and supplier_due
    (its rows dated before the snapshot's `before`). Written only in the snapshots of the months its dues changed:
    its dues in any snapshot are those of its latest row at or before it (none: zero). They let a backdated write
    send that contact alone back to an older snapshot."""

    snapshot = models.ForeignKey(BalanceSnapshot, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    customer_due = models.DecimalField(**MONEY)
    supplier_due = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "snapshot"], name="uniq_snapshot_contact")]

    def __str__(self):
        return f"{self.contact_id}: {self.customer_due}/{self.supplier_due}"
