"""Stateful property test of the trading documents (RULES §3, §4; supporting-api.md).

Hypothesis drives random sequences of purchases (received / pending / ordered, 1–3 lines over three stocked
variations and one unstocked one, two locations), sells (final / draft / quotation), sell returns (raised and
lowered), purchase returns, single-document payments (cash, card, and `advance`, with payments sent along with
new documents too), advance top-ups (pay-due payments with nothing to allocate to) and sell deletions, all
through the services (each call in its own atomic block, as a request is). Every step first predicts, from the
documents alone, whether the service must accept or refuse it, and checks it did; after every step the
invariants below are checked against figures computed independently from the document rows:

- stock on hand per variation and location == received − sold (final sells) + sell-returned − purchase-returned;
- each purchase line: quantity_sold == Σ its FIFO rows and 0 ≤ quantity_sold + quantity_returned ≤ quantity;
- each final stocked sell line: Σ FIFO rows == quantity − quantity_returned (≤ when the business oversells);
- payment_status of every document follows its definition; totals follow the spec's formula;
- advance balances == top-ups − advance payments, what each side's advance can pay never negative;
- no stock row negative (overselling off); document numbers unique.

A second run lets the business oversell: stock may then go negative and a sell line may be mapped for less than
it sold, and the other invariants must still hold.

Each example runs inside one savepoint that is rolled back at its end, so the examples share one set-up.
`HYPOTHESIS_EXPLORE=1` turns off derandomisation (CI runs the same examples every time);
`HYPOTHESIS_MAX_EXAMPLES=n` raises the example count for a longer bug hunt.
"""

import datetime
import os
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from contacts.models import Contact
from core.exceptions import BusinessRuleViolation
from core.models import BusinessLocation
from core.services.business import business_settings_update
from core.tests.factories import ContactFactory, make_business, make_user
from inventory.models import Variation, VariationLocationStock
from inventory.services import product_create
from ledger.models import PurchaseLine, SellLine, SellLinePurchaseLine, Transaction, TransactionPayment
from ledger.services.pay_due import pay_contact_due
from ledger.services.payments import payment_add, payment_delete
from ledger.services.purchases import purchase_create, purchase_return_save
from ledger.services.sells import sell_create, sell_delete, sell_return_save

D = Decimal
ZERO = D(0)
MAX_EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "30"))
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    stateful_step_count=50,
    deadline=None,
    derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
START = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)

quantities = st.integers(1, 8).map(lambda n: D(n) / 2)  # 0.5 … 4
prices = st.integers(0, 2500).map(lambda c: D(c) / 100)  # 0.00 … 25.00, zero totals included
# Choices are drawn as indexes, never with sampled_from over values: its label hashes the values (strings by
# PYTHONHASHSEED, model instances by id, None by address on 3.11), which would make even derandomised runs
# differ from one process to the next.
PERCENTAGES = (None, D("0"), D("10"), D("12.5"), D("33.33"), D("100"))
SHIPPING = (None, D("0"), D("4.50"), D("0.05"))
PURCHASE_STATUSES = ("received", "received", "pending", "ordered")
SELL_STATUSES = ("final", "final", "final", "draft", "quotation")
METHODS = ("cash", "card", "advance", "advance")
percentages = st.integers(0, len(PERCENTAGES) - 1).map(lambda i: PERCENTAGES[i])
shipping = st.integers(0, len(SHIPPING) - 1).map(lambda i: SHIPPING[i])
days = st.integers(0, 90)


def pick(data, items, label):
    return items[data.draw(st.integers(0, len(items) - 1), label)]


def pick_some(data, items, label):
    """A non-empty subset of items, in the order drawn."""
    indexes = data.draw(st.lists(st.integers(0, len(items) - 1), min_size=1, max_size=len(items), unique=True), label)
    return [items[i] for i in indexes]


def half_up(value: Decimal, precision: int = 2) -> Decimal:
    return value.quantize(D(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def expected_total(subtotal: Decimal, percentage, shipping_charges) -> Decimal:
    discount = subtotal * percentage / 100 if percentage else ZERO
    return half_up(subtotal - discount + (shipping_charges or ZERO))


def expected_status(final_total: Decimal, paid: Decimal) -> str:
    if paid >= final_total:
        return "paid"
    return "partial" if paid > 0 else "due"


# (step, outcome) -> how often it happened in a run: the test checks every kind of step really ran.
OUTCOMES: Counter = Counter()


def attempt(step: str, service, **kwargs):
    """Call a service the way a request does (one atomic block); (True, result) or (False, the refusal)."""
    try:
        with transaction.atomic():
            result = True, service(**kwargs)
    except (ValidationError, BusinessRuleViolation) as exc:
        result = False, exc
    OUTCOMES[(step, "accepted" if result[0] else "refused")] += 1
    return result


class World:
    """What every example starts from: a business with two locations, a customer, a supplier, a contact who is
    both, a variable product with two sizes, a single product, and an unstocked service."""

    def __init__(self, oversell: bool):
        self.business = make_business(name="Property Trading", locations=2)
        if oversell:
            business_settings_update(business=self.business, allow_overselling=True)
        self.user = make_user(self.business, admin=True)
        self.locations = list(BusinessLocation.objects.filter(business=self.business).order_by("id"))
        self.customer = ContactFactory(business=self.business, type=Contact.Type.CUSTOMER)
        self.supplier = ContactFactory(business=self.business, type=Contact.Type.SUPPLIER)
        self.both = ContactFactory(business=self.business, type=Contact.Type.BOTH)
        shirt = product_create(
            business=self.business,
            user=self.user,
            data={
                "name": "Shirt",
                "type": "variable",
                "variation_template": "Size",
                "variations": [
                    {"name": "S", "sub_sku": None, "purchase_price": D("4"), "sell_price": D("9")},
                    {"name": "L", "sub_sku": None, "purchase_price": D("5"), "sell_price": D("11")},
                ],
            },
        )
        mug = product_create(
            business=self.business, user=self.user, data={"name": "Mug", "purchase_price": 2, "sell_price": 6}
        )
        service = product_create(
            business=self.business,
            user=self.user,
            data={"name": "Gift wrap", "enable_stock": False, "purchase_price": 0, "sell_price": 1},
        )
        self.stocked = list(Variation.objects.filter(product__in=[shirt, mug]).order_by("id"))
        self.unstocked = list(Variation.objects.filter(product=service))
        self.variations = self.stocked + self.unstocked
        self.stocked_ids = {v.pk for v in self.stocked}


class TradingMachine(RuleBasedStateMachine):
    world: World  # set by the test
    oversell: bool

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.w = self.world
        self.b = self.w.business
        self.topups: dict[tuple[int, str], Decimal] = defaultdict(Decimal)  # (contact, side) -> advance given
        self.totals: dict[int, Decimal] = {}  # sell/purchase id -> the final_total the spec's formula gives

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- reading the documents -----------------------------------------------------------------------------

    def documents(self, *types, **filters):
        return Transaction.objects.filter(business=self.b, type__in=types, **filters).order_by("id")

    def stock_from_documents(self) -> dict[tuple[int, int], Decimal]:
        """received − sold + sell-returned − purchase-returned, per (variation, location), stocked products only."""
        stock = defaultdict(Decimal)
        received = PurchaseLine.objects.filter(
            business=self.b, transaction__status="received", product__enable_stock=True
        ).values_list("variation_id", "transaction__location_id", "quantity", "quantity_returned")
        for variation, location, quantity, returned in received:
            stock[(variation, location)] += quantity - returned
        sold = SellLine.objects.filter(
            business=self.b, transaction__type="sell", transaction__status="final", product__enable_stock=True
        ).values_list("variation_id", "transaction__location_id", "quantity", "quantity_returned")
        for variation, location, quantity, returned in sold:
            stock[(variation, location)] -= quantity - returned
        return stock

    def paid_by_document(self, **filters) -> dict[int, Decimal]:
        """Σ payments per document, change returns (is_return) negative."""
        paid = defaultdict(Decimal)
        rows = TransactionPayment.objects.filter(business=self.b, transaction__isnull=False, **filters).values_list(
            "transaction_id", "amount", "is_return"
        )
        for document_id, amount, is_return in rows:
            paid[document_id] += -amount if is_return else amount
        return paid

    def paid(self, document_id) -> Decimal:
        return self.paid_by_document(transaction_id=document_id)[document_id]

    def balance(self, contact) -> Decimal:
        return Contact.all_objects.get(pk=contact.pk).balance

    def free_advance(self, contact, side: str) -> Decimal:
        """What the contact's advance can still pay on this side, from the model: top-ups less advance payments
        on documents of that side (sell-side advances pay sells, purchase-side ones purchases)."""
        drawn = TransactionPayment.objects.filter(
            payment_for=contact, method="advance", transaction__type=side
        ).values_list("amount", flat=True)
        return self.topups[(contact.pk, side)] - sum(drawn, ZERO)

    def give_advance(self, contact, amount: Decimal, side: str):
        """Advance money through the pay-due service: a payment with a due type the contact has no open document
        of (a customer's purchase returns, a supplier's sell returns), so all of it is kept as advance."""
        due_type = "purchase_return" if side == "sell" else "sell_return"
        pay_contact_due(
            business=self.b,
            user=self.w.user,
            contact=contact,
            data={"amount": amount, "method": "cash", "due_payment_type": due_type},
        )
        self.topups[(contact.pk, side)] += amount

    def contacts(self, side):
        return [self.w.customer, self.w.both] if side == "sell" else [self.w.supplier, self.w.both]

    def draw_payments(self, data, total: Decimal, contact, side: str) -> tuple[list[dict], bool]:
        """0–2 payments sent with a new document: mostly within its total (and, for `advance`, within the
        contact's advance of that side). Returns them and whether the service must accept them."""
        payments, left, balance, ok = [], total, self.free_advance(contact, side), True
        for _ in range(data.draw(st.integers(0, 2), "payment count")):
            if left <= 0 and data.draw(st.integers(0, 3), "stop"):
                break
            method = pick(data, METHODS[:3], "method")
            if method == "advance" and balance <= 0 and data.draw(st.integers(0, 3), "no balance"):
                method = "cash"
            top = min(left, balance) if method == "advance" else left
            if top > 0 and data.draw(st.integers(0, 14), "over") != 0:
                amount = data.draw(st.one_of(st.just(top * 100), st.integers(1, int(top * 100))), "cents") / D(100)
            else:
                amount = top + D("0.01")
            if amount > left or (method == "advance" and amount > balance):
                ok = False
            left -= amount
            balance -= amount if method == "advance" else ZERO
            payments.append({"amount": amount, "method": method})
        return payments, ok

    # --- the opening stock and balances of an example -------------------------------------------------------

    @initialize(
        quantities=st.lists(st.integers(0, 12).map(lambda n: D(n) / 2), min_size=6, max_size=6),
        balances=st.lists(st.integers(0, 4000).map(lambda c: D(c) / 100), min_size=4, max_size=4),
    )
    def opening(self, quantities, balances):
        """A received purchase per location of every stocked variation (0 to 6 units each), so that most sells
        find stock, and an advance balance (possibly nothing) on each contact."""
        for index, location in enumerate(self.w.locations):
            lines = [
                {"variation": v, "quantity": q, "purchase_price": D("3.00")}
                for v, q in zip(self.w.stocked, quantities[index * 3 : index * 3 + 3], strict=True)
                if q > 0
            ]
            if lines:
                doc = purchase_create(
                    business=self.b,
                    user=self.w.user,
                    data={"contact": self.w.supplier, "location": location, "lines": lines, "transaction_date": START},
                )
                self.totals[doc.pk] = sum((line["quantity"] * D("3.00") for line in lines), ZERO).quantize(D("0.01"))
        advances = (
            (self.w.customer, "sell"),
            (self.w.supplier, "purchase"),
            (self.w.both, "sell"),
            (self.w.both, "purchase"),
        )
        for (contact, side), amount in zip(advances, balances, strict=True):
            if amount:
                self.give_advance(contact, amount, side)

    # --- purchases -------------------------------------------------------------------------------------------

    @rule(
        data=st.data(),
        status=st.integers(0, len(PURCHASE_STATUSES) - 1).map(lambda i: PURCHASE_STATUSES[i]),
        location=st.integers(0, 1),
        contact=st.integers(0, 1),
        lines=st.lists(st.tuples(st.integers(0, 3), quantities, prices), min_size=1, max_size=3),
        percentage=percentages,
        shipping_charges=shipping,
        day=days,
    )
    def purchase(self, data, status, location, contact, lines, percentage, shipping_charges, day):
        total = expected_total(sum(q * p for _, q, p in lines), percentage, shipping_charges)
        payments, expect_ok = self.draw_payments(data, total, self.contacts("purchase")[contact], "purchase")
        payload = {
            "contact": self.contacts("purchase")[contact],
            "location": self.w.locations[location],
            "status": status,
            "transaction_date": START + datetime.timedelta(days=day),
            "lines": [{"variation": self.w.variations[v], "quantity": q, "purchase_price": p} for v, q, p in lines],
            "discount_type": "percentage" if percentage is not None else None,
            "discount_amount": percentage,
            "shipping_charges": shipping_charges,
            "payments": payments,
        }
        ok, doc = attempt("purchase", purchase_create, business=self.b, user=self.w.user, data=payload)
        assert ok == expect_ok, (doc, payments, total)
        if ok:
            self.totals[doc.pk] = total

    @precondition(lambda self: self.documents("purchase", status="received").exists())
    @rule(data=st.data())
    def purchase_return(self, data):
        received = self.documents("purchase", status="received")
        with_stock = received.filter(purchase_lines__quantity__gt=F("purchase_lines__quantity_sold")).distinct()
        if with_stock.exists() and data.draw(st.integers(0, 4), "with stock"):  # mostly one with stock left
            received = with_stock
        purchase = pick(data, list(received), "purchase")
        lines = list(PurchaseLine.objects.filter(transaction=purchase).order_by("id"))
        candidates = [line for line in lines if line.quantity > line.quantity_sold]
        if not candidates or not data.draw(st.integers(0, 4), "lines with stock"):
            candidates = lines
        chosen = pick_some(data, candidates, "lines")
        wanted, expect_ok = {}, True
        for line in chosen:
            returnable = line.quantity - line.quantity_sold
            over = data.draw(st.integers(0, 9), "over") == 0  # now and then ask for one unit too many
            if returnable <= 0 or over:
                wanted[line.pk] = max(returnable, ZERO) + 1
                expect_ok = False
            else:
                wanted[line.pk] = data.draw(st.integers(1, int(returnable * 2)), "quantity") / D(2)
                if wanted[line.pk] > returnable:
                    wanted[line.pk] = returnable
        # Stock: lines are processed in variation order; a stocked line taking more back needs it on the shelf.
        stock = self.stock_from_documents()
        for line in sorted(chosen, key=lambda ln: ln.variation_id):
            delta = wanted[line.pk] - line.quantity_returned
            key = (line.variation_id, purchase.location_id)
            if line.variation_id in self.w.stocked_ids:
                if delta > 0 and stock[key] < delta and not self.oversell:
                    expect_ok = False
                stock[key] -= delta
        new_total = half_up(sum(wanted.get(ln.pk, ln.quantity_returned) * ln.purchase_price for ln in lines) or ZERO)
        existing = Transaction.objects.filter(return_parent=purchase).first()
        if existing is not None and self.paid(existing.pk) > new_total:
            expect_ok = False
        ok, result = attempt(
            "purchase_return",
            purchase_return_save,
            business=self.b,
            user=self.w.user,
            purchase=purchase,
            data={"lines": [{"purchase_line_id": pk, "quantity": q} for pk, q in wanted.items()]},
        )
        assert ok == expect_ok, (result, wanted)
        if ok:
            assert result.final_total == new_total

    # --- sells -------------------------------------------------------------------------------------------------

    @rule(
        data=st.data(),
        status=st.integers(0, len(SELL_STATUSES) - 1).map(lambda i: SELL_STATUSES[i]),
        location=st.integers(0, 1),
        contact=st.integers(0, 1),
        percentage=percentages,
        shipping_charges=shipping,
        day=days,
    )
    def sell(self, data, status, location, contact, percentage, shipping_charges, day):
        loc = self.w.locations[location]
        stock = self.stock_from_documents()
        lines = []
        for _ in range(data.draw(st.integers(1, 3), "line count")):
            variation = self.w.variations[data.draw(st.integers(0, 3), "variation")]
            on_hand = stock[(variation.pk, loc.pk)]
            if on_hand >= D("0.5") and data.draw(st.integers(0, 3), "within stock"):  # mostly what is there
                quantity = data.draw(st.integers(1, int(min(on_hand, D(4)) * 2)), "quantity") / D(2)
            else:
                quantity = data.draw(quantities, "quantity")
            if variation.pk in self.w.stocked_ids:
                stock[(variation.pk, loc.pk)] -= quantity
            lines.append((variation, quantity, data.draw(prices, "price")))
        # Refused (overselling off) when a stocked variation's lines want more than the location holds.
        stock_ok = status != "final" or self.oversell or all(q >= 0 for q in stock.values())
        total = expected_total(sum(q * p for _, q, p in lines), percentage, shipping_charges)
        payments, payments_ok = self.draw_payments(data, total, self.contacts("sell")[contact], "sell")
        if status != "final" and data.draw(st.integers(0, 3), "drop payments"):
            payments, payments_ok = [], True  # payments on a draft or quotation are refused: only now and then
        expect_ok = stock_ok and payments_ok and (status == "final" or not payments)
        payload = {
            "contact": self.contacts("sell")[contact],
            "location": loc,
            "status": status,
            "transaction_date": START + datetime.timedelta(days=day),
            "lines": [{"variation": v, "quantity": q, "unit_price": p} for v, q, p in lines],
            "discount_type": "percentage" if percentage is not None else None,
            "discount_amount": percentage,
            "shipping_charges": shipping_charges,
            "payments": payments,
        }
        ok, doc = attempt("sell", sell_create, business=self.b, user=self.w.user, data=payload)
        assert ok == expect_ok, (doc, payments, total)
        if ok:
            self.totals[doc.pk] = total
        elif not stock_ok:
            assert "Not enough stock of" in str(doc)
        OUTCOMES[(f"{status} sell with {len(payments)} payments", "accepted" if ok else "refused")] += 1

    @precondition(lambda self: self.documents("sell", status="final").exists())
    @rule(data=st.data())
    def sell_return(self, data):
        sell = pick(data, list(self.documents("sell", status="final")), "sell")
        lines = list(SellLine.objects.filter(transaction=sell).order_by("id"))
        chosen = pick_some(data, lines, "lines")
        wanted, expect_ok = {}, True
        for line in chosen:
            if data.draw(st.integers(0, 9), "over") == 0:  # now and then more than was sold
                wanted[line.pk] = line.quantity + D("0.5")
                expect_ok = False
            else:
                wanted[line.pk] = data.draw(st.integers(1, int(line.quantity * 2)), "quantity") / D(2)
        # Stock: a line returned less than before takes stock off the shelf again. Lines are applied in variation
        # order, in request order within a variation, so a decrease listed before an increase of the same variation
        # may be refused although the request as a whole fits (test_worked_examples has that bug as an xfail):
        # there either outcome passes here, so this test holds before and after the fix.
        stock, in_order_ok, net = self.stock_from_documents(), True, defaultdict(Decimal)
        for line in sorted(chosen, key=lambda ln: ln.variation_id):
            delta = wanted[line.pk] - line.quantity_returned
            key = (line.variation_id, sell.location_id)
            if line.variation_id in self.w.stocked_ids and not self.oversell:
                if delta < 0 and stock[key] < -delta:
                    in_order_ok = False
                stock[key] += delta
                net[key] += delta
        net_ok = all(stock[key] >= 0 for key in net)  # stock[key] is now the stock after the whole request
        new_total = half_up(sum(wanted.get(ln.pk, ln.quantity_returned) * ln.unit_price for ln in lines) or ZERO)
        existing = Transaction.objects.filter(return_parent=sell).first()
        if existing is not None and self.paid(existing.pk) > new_total:
            expect_ok = False
        ok, result = attempt(
            "sell_return",
            sell_return_save,
            business=self.b,
            user=self.w.user,
            sell=sell,
            data={"lines": [{"sell_line_id": pk, "quantity": q} for pk, q in wanted.items()]},
        )
        if expect_ok and in_order_ok != net_ok:
            OUTCOMES[("sell return, order-dependent", "accepted" if ok else "refused")] += 1
        else:
            assert ok == (expect_ok and in_order_ok), (result, wanted)
        if any(wanted[line.pk] < line.quantity_returned for line in chosen):
            OUTCOMES[("sell return lowered", "accepted" if ok else "refused")] += 1
        if ok:
            assert result.final_total == new_total

    @precondition(lambda self: SellLine.objects.filter(business=self.b, quantity_returned__gt=0).exists())
    @rule(data=st.data())
    def change_one_returned_quantity(self, data):
        """Raise or lower one line of an existing sell return (the other lines keep theirs)."""
        returned = list(SellLine.objects.filter(business=self.b, quantity_returned__gt=0).order_by("id"))
        line = pick(data, returned, "line")
        quantity = data.draw(st.integers(1, int(line.quantity * 2)), "quantity") / D(2)
        sell = line.transaction
        lines = list(SellLine.objects.filter(transaction=sell))
        new_total = half_up(
            sum(((quantity if ln.pk == line.pk else ln.quantity_returned) * ln.unit_price for ln in lines), ZERO)
        )
        delta = quantity - line.quantity_returned
        on_hand = self.stock_from_documents()[(line.variation_id, sell.location_id)]
        expect_ok = self.paid(Transaction.objects.get(return_parent=sell).pk) <= new_total and (
            delta >= 0 or self.oversell or line.variation_id not in self.w.stocked_ids or on_hand >= -delta
        )
        ok, result = attempt(
            "change_one_returned_quantity",
            sell_return_save,
            business=self.b,
            user=self.w.user,
            sell=sell,
            data={"lines": [{"sell_line_id": line.pk, "quantity": quantity}]},
        )
        assert ok == expect_ok, (result, quantity, line.quantity_returned)
        OUTCOMES[(f"sell return {'lowered' if delta < 0 else 'raised'}", "accepted" if ok else "refused")] += 1

    @precondition(lambda self: self.documents("sell").exists())
    @rule(data=st.data())
    def delete_sell(self, data):
        sell = pick(data, list(self.documents("sell")), "sell")
        ok, result = attempt("delete_sell", sell_delete, business=self.b, user=self.w.user, sell=sell)
        assert ok, result
        assert not Transaction.objects.filter(pk=sell.pk).exists()
        assert not Transaction.objects.filter(return_parent_id=sell.pk).exists()
        self.totals.pop(sell.pk, None)

    # --- payments and advance balances ------------------------------------------------------------------------

    def payable(self):
        return self.documents("purchase", "sell_return", "purchase_return") | self.documents("sell", status="final")

    def with_due(self):
        paid = self.paid_by_document()
        return [doc for doc in self.payable().order_by("id") if doc.final_total > paid[doc.pk]]

    @precondition(lambda self: self.payable().exists())
    @rule(data=st.data(), method=st.integers(0, len(METHODS) - 1).map(lambda i: METHODS[i]))
    def payment(self, data, method):
        """Mostly a part of what is due on a document that has a due; now and then more than is due."""
        open_documents = self.with_due()
        if open_documents and data.draw(st.integers(0, 9), "over") != 0:
            kind = pick(data, sorted({doc.type for doc in open_documents}), "type")
            document = pick(data, [doc for doc in open_documents if doc.type == kind], "document")
            due = document.final_total - self.paid(document.pk)
            top = due
            free = self.free_advance(document.contact, document.type)
            if method == "advance" and ZERO < free < due and data.draw(st.booleans()):
                top = free  # within what the contact's advance can pay
            amount = data.draw(st.one_of(st.just(top * 100), st.integers(1, int(top * 100))), "cents") / D(100)
        else:  # more than is due: always refused
            document = pick(data, list(self.payable().order_by("id")), "document")
            due = document.final_total - self.paid(document.pk)
            amount = max(due, ZERO) + D("0.01")
        # The advance pays sells (from what the customer paid ahead) and purchases (what we paid the supplier
        # ahead), never returns.
        expect_ok = amount <= due and (
            method != "advance"
            or (document.type in ("sell", "purchase") and self.free_advance(document.contact, document.type) >= amount)
        )
        ok, result = attempt(
            "payment",
            payment_add,
            business=self.b,
            user=self.w.user,
            document=document,
            data={"amount": amount, "method": method},
        )
        assert ok == expect_ok, (result, amount, due, method)
        OUTCOMES[(f"{method} payment on {document.type}", "accepted" if ok else "refused")] += 1

    @precondition(lambda self: TransactionPayment.objects.filter(business=self.b).exists())
    @rule(data=st.data())
    def delete_payment(self, data):
        """A business admin deletes a payment: a document payment (the document is due again), an advance
        payment (its amount goes back to the advance), or a top-up (its allocations go with it)."""
        payment = pick(data, list(TransactionPayment.objects.filter(business=self.b).order_by("id")), "payment")
        ok, result = attempt("delete_payment", payment_delete, business=self.b, user=self.w.user, payment=payment)
        assert ok, result
        if payment.transaction_id is None:  # a top-up: what it gave is gone
            side = "sell" if payment.payment_type == "credit" else "purchase"
            self.topups[(payment.payment_for_id, side)] -= payment.amount
        OUTCOMES[(f"delete {'top-up' if payment.transaction_id is None else payment.method} payment", "accepted")] += 1

    @precondition(
        lambda self: (
            self.documents("sell").exclude(status="final").exists()
            or self.documents("purchase").exclude(status="received").exists()
        )
    )
    @rule(data=st.data())
    def return_or_pay_what_cannot_be(self, data):
        """Drafts and quotations take no returns and no payments; only received purchases can be returned."""
        documents = list(self.documents("sell").exclude(status="final")) + list(
            self.documents("purchase").exclude(status="received")
        )
        document = pick(data, documents, "document")
        if document.type == "purchase":
            line = PurchaseLine.objects.filter(transaction=document).first()
            service, kwargs = purchase_return_save, {"purchase": document}
            kwargs["data"] = {"lines": [{"purchase_line_id": line.pk, "quantity": D("0.5")}]}
        elif data.draw(st.booleans(), "return"):
            line = SellLine.objects.filter(transaction=document).first()
            service, kwargs = sell_return_save, {"sell": document}
            kwargs["data"] = {"lines": [{"sell_line_id": line.pk, "quantity": D("0.5")}]}
        else:
            service, kwargs = payment_add, {"document": document, "data": {"amount": D(1), "method": "cash"}}
        ok, _ = attempt("return_or_pay_what_cannot_be", service, business=self.b, user=self.w.user, **kwargs)
        assert not ok

    @rule(supplier=st.booleans(), cents=st.integers(1, 5000))
    def top_up_advance(self, supplier, cents):
        """More advance for the customer or the supplier (the contact who is both gets theirs at the opening only:
        later, a pay-due payment of theirs could find a due of its type to allocate to)."""
        contact, side = (self.w.supplier, "purchase") if supplier else (self.w.customer, "sell")
        ok, result = attempt("top_up_advance", self.give_advance, contact=contact, amount=D(cents) / 100, side=side)
        assert ok, result

    # --- invariants (one pass over the documents after every step) ----------------------------------------------

    @invariant()
    def documents_stock_and_fifo_agree(self):
        sell_lines = list(
            SellLine.objects.filter(business=self.b).values(
                "id",
                "transaction_id",
                "variation_id",
                "quantity",
                "quantity_returned",
                "unit_price",
                "product__enable_stock",
                "transaction__status",
                "transaction__location_id",
            )
        )
        purchase_lines = list(
            PurchaseLine.objects.filter(business=self.b).values(
                "id",
                "transaction_id",
                "variation_id",
                "location_id",
                "quantity",
                "quantity_sold",
                "quantity_returned",
                "purchase_price",
                "is_received",
                "transaction__status",
                "transaction__location_id",
            )
        )
        links = list(
            SellLinePurchaseLine.objects.filter(sell_line__business=self.b).values_list(
                "sell_line_id", "purchase_line_id", "quantity"
            )
        )
        self.check_stock(sell_lines, purchase_lines)
        self.check_fifo(sell_lines, purchase_lines, links)
        self.check_documents(sell_lines, purchase_lines)
        self.check_advance_balances()

    def check_stock(self, sell_lines, purchase_lines):
        """Stock on hand == received − sold + sell-returned − purchase-returned, from the lines alone."""
        expected = defaultdict(Decimal)
        for line in purchase_lines:
            if line["transaction__status"] == "received" and line["variation_id"] in self.w.stocked_ids:
                expected[(line["variation_id"], line["transaction__location_id"])] += (
                    line["quantity"] - line["quantity_returned"]
                )
        for line in sell_lines:
            if line["transaction__status"] == "final" and line["product__enable_stock"]:
                expected[(line["variation_id"], line["transaction__location_id"])] -= (
                    line["quantity"] - line["quantity_returned"]
                )
        actual = {
            (v, loc): q
            for v, loc, q in VariationLocationStock.objects.filter(business=self.b).values_list(
                "variation_id", "location_id", "qty_available"
            )
        }
        for key in set(expected) | set(actual):
            assert actual.get(key, ZERO) == expected.get(key, ZERO), (key, actual.get(key), expected.get(key))
        if not self.oversell:
            assert all(q >= 0 for q in actual.values()), actual

    def check_fifo(self, sell_lines, purchase_lines, links):
        sells = {line["id"]: line for line in sell_lines}
        purchases = {line["id"]: line for line in purchase_lines}
        mapped_from = defaultdict(Decimal)  # purchase line -> Σ mapping
        mapped_to = defaultdict(Decimal)  # sell line -> Σ mapping
        for sell_line, purchase_line, quantity in links:
            s_line, p_line = sells[sell_line], purchases[purchase_line]
            assert quantity > 0
            assert s_line["variation_id"] == p_line["variation_id"], (sell_line, purchase_line)
            assert s_line["transaction__location_id"] == p_line["location_id"], (sell_line, purchase_line)
            assert p_line["is_received"], purchase_line
            mapped_from[purchase_line] += quantity
            mapped_to[sell_line] += quantity
        for line in purchase_lines:
            pk, sold, returned = line["id"], line["quantity_sold"], line["quantity_returned"]
            assert sold == mapped_from[pk], (pk, sold, mapped_from[pk])
            assert sold >= 0 and returned >= 0, pk
            assert sold + returned <= line["quantity"], (pk, sold, returned, line["quantity"])
            assert line["location_id"] == line["transaction__location_id"]
            assert line["is_received"] == (line["transaction__status"] == "received"), pk
            if not line["is_received"]:
                assert sold == 0 and returned == 0, pk
        for line in sell_lines:
            pk, net = line["id"], line["quantity"] - line["quantity_returned"]
            assert 0 <= line["quantity_returned"] <= line["quantity"], pk
            if line["transaction__status"] != "final":
                assert line["quantity_returned"] == 0 and mapped_to[pk] == 0, pk
            elif not line["product__enable_stock"]:
                assert mapped_to[pk] == 0, pk
            elif self.oversell:
                assert mapped_to[pk] <= net, (pk, mapped_to[pk], net)
            else:
                assert mapped_to[pk] == net, (pk, mapped_to[pk], net)

    def check_documents(self, sell_lines, purchase_lines):
        """payment_status by its definition; totals by the spec's formula; payments only on payable documents."""
        paid = self.paid_by_document()
        returned_value = defaultdict(Decimal)  # parent id -> Σ returned quantity × price
        for line in sell_lines:
            returned_value[line["transaction_id"]] += line["quantity_returned"] * line["unit_price"]
        for line in purchase_lines:
            returned_value[line["transaction_id"]] += line["quantity_returned"] * line["purchase_price"]
        documents = Transaction.objects.filter(business=self.b).select_related("return_parent")
        for doc in documents:
            total_paid = paid.get(doc.pk, ZERO)
            assert doc.payment_status == expected_status(doc.final_total, total_paid), (doc.pk, doc.type, total_paid)
            assert total_paid <= doc.final_total, (doc.pk, total_paid, doc.final_total)
            if doc.type in ("sell", "purchase"):
                assert doc.final_total == self.totals[doc.pk], (doc.pk, doc.final_total, self.totals[doc.pk])
                if doc.type == "sell" and doc.status != "final":
                    assert total_paid == 0
            else:
                parent = doc.return_parent
                assert (doc.type, doc.contact_id, doc.location_id) == (
                    f"{parent.type}_return",
                    parent.contact_id,
                    parent.location_id,
                )
                assert doc.final_total == half_up(returned_value[parent.pk]), (doc.pk, doc.final_total)
        numbers = [doc.invoice_no for doc in documents if doc.invoice_no] + [
            doc.ref_no for doc in documents if doc.ref_no
        ]
        assert len(numbers) == len(set(numbers)), numbers
        assert set(paid) <= {doc.pk for doc in documents}

    def check_advance_balances(self):
        """Contact.balance == top-ups − advance payments; what each side's advance can still pay is never negative."""
        drawn = defaultdict(Decimal)
        for contact_id, amount in TransactionPayment.objects.filter(business=self.b, method="advance").values_list(
            "payment_for_id", "amount"
        ):
            drawn[contact_id] += amount
        for contact in (self.w.customer, self.w.supplier, self.w.both):
            topped_up = self.topups[(contact.pk, "sell")] + self.topups[(contact.pk, "purchase")]
            balance = self.balance(contact)
            assert balance == topped_up - drawn[contact.pk], (contact.type, balance, topped_up, drawn[contact.pk])
            for side in ("sell", "purchase"):
                assert self.free_advance(contact, side) >= 0, (contact.type, side)


def run(oversell: bool):
    world = World(oversell=oversell)
    machine = type(
        "OversellingMachine" if oversell else "StrictStockMachine",
        (TradingMachine,),
        {"world": world, "oversell": oversell},
    )
    OUTCOMES.clear()
    # The overselling run checks fewer invariants; it gets two thirds of the examples.
    run_state_machine_as_test(
        machine, settings=settings(SETTINGS, max_examples=MAX_EXAMPLES * 2 // 3 if oversell else MAX_EXAMPLES)
    )
    print("steps:", sorted(OUTCOMES.items()))  # shown with a failure
    # A guard against edits that quietly stop a kind of step from ever succeeding. (Even derandomised, the
    # examples depend on which project modules are loaded: Hypothesis mixes in constants found in them.)
    ran = {step for (step, outcome), count in OUTCOMES.items() if outcome == "accepted" and count}
    expected = {"sell", "sell_return", "purchase", "purchase_return", "payment", "delete_sell"}
    assert expected <= ran, expected - ran
    if not oversell:
        assert OUTCOMES[("sell", "refused")] > 0


@pytest.mark.django_db
def test_trading_invariants_hold_without_overselling():
    run(oversell=False)


@pytest.mark.django_db
def test_trading_invariants_that_survive_overselling_still_hold():
    run(oversell=True)
