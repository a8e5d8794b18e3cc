from django.db import models
from django.db.models import Q

from accounts.balance_marks import BalanceRow, BalanceRowQuerySet
from core.money import MONEY, QUANTITY
from core.payment_methods import PaymentMethod
from core.querysets import BusinessManager, BusinessQuerySet
from ledger.querysets import TransactionQuerySet


def _quantity(value) -> str:
    """`2`, `1.5`: a quantity without the stored scale's trailing zeros."""
    return format(value.normalize(), "f")


class PaymentQuerySet(BalanceRowQuerySet, BusinessQuerySet):
    pass


class Transaction(BalanceRow):
    """A document that moves money owed and (for sells and purchases) stock: RULES §3."""

    class Type(models.TextChoices):
        SELL = "sell", "Sell"
        PURCHASE = "purchase", "Purchase"
        SELL_RETURN = "sell_return", "Sell return"
        PURCHASE_RETURN = "purchase_return", "Purchase return"
        OPENING_BALANCE = "opening_balance", "Opening balance"
        LEDGER_DISCOUNT = "ledger_discount", "Ledger discount"

    class Status(models.TextChoices):
        FINAL = "final", "Final"
        DRAFT = "draft", "Draft"
        QUOTATION = "quotation", "Quotation"
        RECEIVED = "received", "Received"
        PENDING = "pending", "Pending"
        ORDERED = "ordered", "Ordered"

    class PaymentStatus(models.TextChoices):
        PAID = "paid", "Paid"
        DUE = "due", "Due"
        PARTIAL = "partial", "Partial"

    class SubType(models.TextChoices):
        SELL_DISCOUNT = "sell_discount", "Sell discount"
        PURCHASE_DISCOUNT = "purchase_discount", "Purchase discount"

    class DiscountType(models.TextChoices):
        FIXED = "fixed", "Fixed"
        PERCENTAGE = "percentage", "Percentage"

    class PayTerm(models.TextChoices):
        DAYS = "days", "Days"
        MONTHS = "months", "Months"

    class RecurInterval(models.TextChoices):
        DAYS = "days", "Days"
        MONTHS = "months", "Months"
        YEARS = "years", "Years"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        "core.BusinessLocation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    sub_type = models.CharField(max_length=20, choices=SubType.choices, null=True, blank=True)
    payment_status = models.CharField(max_length=10, choices=PaymentStatus.choices, null=True, blank=True)
    # PROTECT: a contact with any document cannot be deleted (RULES §2).
    # indexed by txn_contact_date_idx (contact first), which also serves the foreign key's lookups
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    invoice_no = models.CharField(max_length=191, null=True, blank=True)
    ref_no = models.CharField(max_length=191, null=True, blank=True)
    transaction_date = models.DateTimeField()
    total_before_tax = models.DecimalField(default=0, **MONEY)
    discount_type = models.CharField(max_length=10, choices=DiscountType.choices, null=True, blank=True)
    discount_amount = models.DecimalField(default=0, **MONEY)
    shipping_charges = models.DecimalField(default=0, **MONEY)
    final_total = models.DecimalField(default=0, **MONEY)
    additional_notes = models.TextField(null=True, blank=True)
    pay_term_number = models.PositiveIntegerField(null=True, blank=True)
    pay_term_type = models.CharField(max_length=10, choices=PayTerm.choices, null=True, blank=True)
    # transaction_date + pay term (transaction_date itself without one): what "overdue" and aging compare to.
    due_date = models.DateTimeField()
    is_direct_sale = models.BooleanField(default=False)
    return_parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="returns")
    is_recurring = models.BooleanField(default=False)
    recur_interval = models.PositiveIntegerField(null=True, blank=True)
    recur_interval_type = models.CharField(max_length=10, choices=RecurInterval.choices, null=True, blank=True)
    recur_repetitions = models.PositiveIntegerField(null=True, blank=True)
    subscription_repeat_on = models.PositiveSmallIntegerField(null=True, blank=True)
    subscription_no = models.CharField(max_length=191, null=True, blank=True)
    recur_stopped_on = models.DateTimeField(null=True, blank=True)
    recur_parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="recurring_children"
    )
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = models.Manager.from_queryset(TransactionQuerySet)()

    balance_date_field = "transaction_date"
    balance_part = "dues"
    balance_scope_field = "contact"
    balance_fields = frozenset(
        {"business", "contact", "location", "type", "sub_type", "status", "final_total", "transaction_date"}
    ) | frozenset({"business_id", "contact_id", "location_id"})

    @classmethod
    def cascaded_moments(cls, queryset) -> dict:
        """Deleting documents deletes their returns and the payments of both (by business and contact)."""
        documents = queryset.values("pk")
        returns = Transaction._base_manager.filter(return_parent__in=documents)
        payments = TransactionPayment._base_manager.filter(
            models.Q(transaction__in=documents) | models.Q(transaction__return_parent__in=documents)
        )
        moments: dict = {}
        for rows in (
            returns.order_by().values_list("business_id", "contact_id").annotate(first=models.Min("transaction_date")),
            payments.order_by().values_list("business_id", "payment_for_id").annotate(first=models.Min("paid_on")),
        ):
            for business_id, contact_id, first in rows:
                moments[business_id, contact_id] = min(first, moments.get((business_id, contact_id), first))
        return moments

    class Meta:
        ordering = ["-transaction_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "invoice_no"], condition=Q(invoice_no__isnull=False), name="uniq_invoice_no"
            ),
            models.UniqueConstraint(
                fields=["business", "ref_no"], condition=Q(ref_no__isnull=False), name="uniq_ref_no"
            ),
            # One return document per sell or purchase (it is updated, never duplicated).
            models.UniqueConstraint(
                fields=["return_parent"], condition=Q(return_parent__isnull=False), name="one_return_per_document"
            ),
        ]
        indexes = [
            models.Index(fields=["business", "type", "-transaction_date", "-id"], name="txn_list_idx"),
            models.Index(fields=["business", "contact", "type", "transaction_date"], name="txn_contact_idx"),
            models.Index(fields=["business", "location", "type", "-transaction_date"], name="txn_location_idx"),
            models.Index(fields=["business", "type", "payment_status"], name="txn_payment_status_idx"),
            models.Index(fields=["business", "type", "created_by"], name="txn_created_by_idx"),
            # the movements after a balance snapshot (accounts/reports/snapshots.py): a range of dates, every type
            models.Index(fields=["business", "transaction_date"], name="txn_date_idx"),
            # one contact's rows in a range of dates, every type: a contact's correction after its backdated write
            # (accounts/reports/snapshots.py) and its ledger over a period
            models.Index(fields=["contact", "transaction_date"], name="txn_contact_date_idx"),
            # Subscriptions (recurring parents) newest first: the subscriptions list and the generator's look for
            # parents it has not scheduled yet read this small index instead of every sell.
            models.Index(
                fields=["business", "-transaction_date", "-id"],
                condition=Q(is_recurring=True),
                name="txn_subscription_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.invoice_no or self.ref_no or self.pk}"

    @property
    def number(self) -> str | None:
        return self.invoice_no or self.ref_no


class SellDocument(Transaction):
    """Sells, for their own page in the back office."""

    class Meta:
        proxy = True
        verbose_name = "sell"


class PurchaseDocument(Transaction):
    class Meta:
        proxy = True
        verbose_name = "purchase"


class SellLine(models.Model):
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="sell_lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    variation = models.ForeignKey("inventory.Variation", on_delete=models.PROTECT, related_name="sell_lines")
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY)  # tax included
    quantity_returned = models.DecimalField(default=0, **QUANTITY)

    objects = BusinessManager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{_quantity(self.quantity)} × {self.variation}"


class PurchaseLine(models.Model):
    """A purchased quantity. What is left of it: quantity − quantity_sold − quantity_returned, where
    quantity_sold is always the sum of its FIFO mapping rows and quantity_returned its purchase return."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="purchase_lines")
    location = models.ForeignKey("core.BusinessLocation", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    variation = models.ForeignKey("inventory.Variation", on_delete=models.PROTECT, related_name="purchase_lines")
    quantity = models.DecimalField(**QUANTITY)
    purchase_price = models.DecimalField(**MONEY)  # unit cost, tax included
    quantity_sold = models.DecimalField(default=0, **QUANTITY)
    quantity_returned = models.DecimalField(default=0, **QUANTITY)
    # Set while the purchase is received: only received lines hold stock and feed FIFO.
    is_received = models.BooleanField(default=False)

    objects = BusinessManager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["variation", "location", "id"], condition=Q(is_received=True), name="fifo_idx"),
        ]

    def __str__(self):
        return f"{_quantity(self.quantity)} × {self.variation}"


class SellLinePurchaseLine(models.Model):
    """FIFO: how much of a final sell line was taken from which purchase line (net of sell returns)."""

    sell_line = models.ForeignKey(SellLine, on_delete=models.CASCADE, related_name="purchase_links")
    purchase_line = models.ForeignKey(PurchaseLine, on_delete=models.CASCADE, related_name="sell_links")
    quantity = models.DecimalField(**QUANTITY)

    class Meta:
        verbose_name = "FIFO allocation"
        constraints = [
            models.UniqueConstraint(fields=["sell_line", "purchase_line"], name="uniq_fifo_pair"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fifo_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} of purchase line {self.purchase_line_id} → sell line {self.sell_line_id}"


class TransactionPayment(BalanceRow):
    Method = PaymentMethod

    class PaymentType(models.TextChoices):
        CREDIT = "credit", "Credit"
        DEBIT = "debit", "Debit"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    # Null for a pay-due parent row, which belongs to the contact (payment_for), not to one document.
    transaction = models.ForeignKey(
        Transaction, on_delete=models.CASCADE, null=True, blank=True, related_name="payments"
    )
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    payment_for = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20, choices=Method.choices)
    paid_on = models.DateTimeField()
    payment_ref_no = models.CharField(max_length=191, null=True, blank=True)
    is_return = models.BooleanField(default=False, help_text="Change returned: counts negative.")
    is_advance = models.BooleanField(default=False)
    payment_type = models.CharField(max_length=10, choices=PaymentType.choices, null=True, blank=True)
    # Pay-due rows (POST /contacts/{id}/payments): which dues they were for, and whether money went back the
    # other way (a reverse payment: not allocated, the advance balance untouched).
    due_payment_type = models.CharField(max_length=20, null=True, blank=True)
    is_reverse = models.BooleanField(default=False)
    note = models.TextField(null=True, blank=True)
    # The payment account the money went into or came out of, and the movement posted there (payment accounts).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    account_transaction = models.OneToOneField(
        "accounts.AccountTransaction", on_delete=models.SET_NULL, null=True, blank=True, related_name="payment"
    )
    # The last four digits only: a full card number is never stored (PCI DSS).
    card_last4 = models.CharField(max_length=4, null=True, blank=True)
    card_holder_name = models.CharField(max_length=191, null=True, blank=True)
    card_transaction_number = models.CharField(max_length=191, null=True, blank=True)
    card_type = models.CharField(max_length=50, null=True, blank=True)
    card_month = models.CharField(max_length=10, null=True, blank=True)
    card_year = models.CharField(max_length=10, null=True, blank=True)
    cheque_number = models.CharField(max_length=191, null=True, blank=True)
    bank_account_number = models.CharField(max_length=191, null=True, blank=True)
    transaction_no_1 = models.CharField(max_length=191, null=True, blank=True)
    transaction_no_2 = models.CharField(max_length=191, null=True, blank=True)
    transaction_no_3 = models.CharField(max_length=191, null=True, blank=True)
    transaction_no_4 = models.CharField(max_length=191, null=True, blank=True)
    transaction_no_5 = models.CharField(max_length=191, null=True, blank=True)
    transaction_no_6 = models.CharField(max_length=191, null=True, blank=True)
    transaction_no_7 = models.CharField(max_length=191, null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = models.Manager.from_queryset(PaymentQuerySet)()

    balance_date_field = "paid_on"
    balance_part = "dues"
    balance_scope_field = "payment_for"
    balance_fields = frozenset(
        {"business", "transaction", "parent", "payment_for", "amount", "paid_on", "is_return", "payment_type"}
    ) | frozenset({"due_payment_type", "is_reverse", "business_id", "transaction_id", "parent_id", "payment_for_id"})

    class Meta:
        verbose_name = "payment"
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["business", "payment_ref_no"],
                condition=Q(payment_ref_no__isnull=False),
                name="uniq_payment_ref_no",
            ),
        ]
        indexes = [
            models.Index(fields=["transaction", "paid_on"], name="payment_txn_idx"),
            models.Index(fields=["business", "payment_for", "paid_on"], name="payment_contact_idx"),
            models.Index(fields=["business", "paid_on"], name="payment_date_idx"),
        ]

    def __str__(self):
        from core.money import format_currency

        amount = format_currency(self.amount, self.business)
        return f"{self.payment_ref_no or self.pk}: {amount} {self.get_method_display().lower()}"
