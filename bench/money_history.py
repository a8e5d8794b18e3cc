"""Three years of a customer's account, simulated in Python for the money benchmark (see bench/README.md).

Events are played in time order as the services would have recorded them: an opening balance; final sells
(with drafts and quotations that count toward nothing), each paid at once, in part, from the advance
balance (method `advance`: children of earlier pay-due parents, oldest first) or left on credit; pay-due
payments (RULES §4): a parent row and a child per open document, opening balance and sells oldest first by
(transaction_date, id), whatever is left over added to the advance balance; a few sell returns (one line
of the sell, some refunded), ledger discounts and reverse payments. So payment_status follows the payments,
every child belongs to a pay-due parent, and the advance balance is Σ(parent − children).

Amounts are integer cents. Ids and reference numbers are given afterwards, in date order across the
business (bench/money_seed.py), so (transaction_date, id) order is date order."""

from collections import deque

DAY = 86400
METHODS = ("cash", "card", "bank_transfer", "cheque")
PAID_AT_ONCE_ROWS = 1.35  # payment rows per sell paid at once: 1.15 (some split, some with change) + 0.2 partial


class Doc:
    __slots__ = ("kind", "status", "contact", "seconds", "total", "location", "lines", "parent", "paid", "note")
    __slots__ += ("id", "number", "sub_type", "term")

    def __init__(self, kind, contact, seconds, total, *, status="final", location=0, lines=(), parent=None):
        self.kind, self.status, self.contact, self.seconds = kind, status, contact, seconds
        self.total, self.location, self.lines, self.parent = total, location, list(lines), parent
        self.paid, self.note, self.id, self.number, self.sub_type, self.term = 0, None, 0, "", None, 0

    @property
    def due(self) -> int:
        return self.total - self.paid

    @property
    def payment_status(self) -> str | None:
        if self.kind == "ledger_discount":
            return None
        return "paid" if self.paid >= self.total else "partial" if self.paid > 0 else "due"


class Pay:
    __slots__ = ("doc", "parent", "contact", "cents", "method", "seconds", "is_return", "is_advance", "is_reverse")
    __slots__ += ("payment_type", "due_type", "note", "id", "number", "order")

    def __init__(self, contact, cents, method, seconds, *, doc=None, parent=None, **flags):
        self.doc, self.parent, self.contact, self.cents = doc, parent, contact, cents
        self.method, self.seconds = method, seconds
        self.is_return = flags.get("is_return", False)
        self.is_advance = flags.get("is_advance", False)
        self.is_reverse = flags.get("is_reverse", False)
        self.payment_type = flags.get("payment_type")
        self.due_type = flags.get("due_type")
        self.note = flags.get("note")
        self.id, self.number, self.order = 0, "", 0


class Account:
    """One customer's history: its documents and payment rows, and the advance balance it ends with (cents)."""

    def __init__(self, rng, contact_id: int, *, documents: int, payments: int, span_days: int, products, term=0):
        if documents < 4 or payments < 4:
            raise ValueError("a customer's history needs at least 4 documents and 4 payments")
        self.rng, self.contact, self.products, self.term = rng, contact_id, products, term
        self.span = span_days * DAY
        self.docs: list[Doc] = []
        self.pays: list[Pay] = []
        self.balance = 0
        self._free: deque = deque()  # [parent, cents not yet allocated], oldest first
        self._open: deque = deque()  # opening balance and sells with something due, oldest first
        self._build(documents, payments)

    # --- the plan -------------------------------------------------------------------------------------------

    def _build(self, documents: int, payments: int) -> None:
        rng = self.rng
        returns = max(1, round(documents * 0.005))
        discounts = max(1, documents // 550)  # about one a month at 20,000
        sells = documents - 1 - returns - discounts
        reverses = max(1, payments // 5000)
        refunded = returns // 2
        wanted_parents = payments // 3
        budget = payments - wanted_parents - reverses - refunded
        at_once = min(0.7, max(0.0, budget / (PAID_AT_ONCE_ROWS * sells)))

        opening = Doc("opening_balance", self.contact, 9 * 3600, rng.randrange(150_000, 400_000))
        self.docs.append(opening)
        events = []  # (seconds, tie, handler, argument)
        times = sorted(rng.randrange(DAY, self.span) for _ in range(sells))
        rows = 0
        for seconds in times:
            roll = rng.random()
            shape = (
                "full"
                if roll < at_once
                else "partial"
                if roll < at_once * 1.2
                else "advance"
                if roll < at_once * 1.2 + 0.04
                else "credit"
            )
            if shape == "full":
                kind = rng.random()
                shape = "full" if kind < 0.85 else "split" if kind < 0.95 else "change"
            rows += {"full": 1, "split": 2, "change": 2, "partial": 1}.get(shape, 0)
            events.append((seconds, len(events), self._sell, shape))
        for _ in range(max(1, documents // 100)):  # drafts and quotations: no payments, not in the ledger
            events.append((rng.randrange(DAY, self.span), len(events), self._draft, None))
        parents = payments - rows - reverses - refunded
        if parents < 1:
            raise ValueError(f"{payments} payments are too few for {sells} sells")
        for seconds in sorted(rng.randrange(DAY, self.span) for _ in range(parents)):
            events.append((seconds, len(events), self._pay_due, None))
        for _ in range(reverses):
            events.append((rng.randrange(DAY, self.span), len(events), self._reverse, None))
        for _ in range(discounts):
            events.append((rng.randrange(DAY, self.span), len(events), self._discount, None))
        events.sort(key=lambda e: (e[0], e[1]))
        self._open.append(opening)
        for seconds, _, handler, argument in events:
            handler(seconds, argument)
        self._returns(returns, refunded)

    # --- the events -----------------------------------------------------------------------------------------

    def _lines(self):
        rng = self.rng
        chosen = rng.sample(range(len(self.products)), rng.randint(1, 3))
        return [[p, rng.choice((1, 1, 1, 2, 2, 3, 5, 10)), self.products[p][2], 0] for p in chosen]

    def _draft(self, seconds, _):
        lines = self._lines()
        status = "draft" if self.rng.random() < 0.7 else "quotation"
        total = sum(q * price for _, q, price, _ in lines)
        self.docs.append(
            Doc("sell", self.contact, seconds, total, status=status, location=self.rng.randrange(2), lines=lines)
        )

    def _payment(self, doc, cents, seconds, **flags) -> Pay:
        method = flags.pop("method", None) or self.rng.choice(METHODS)
        pay = Pay(self.contact, cents, method, seconds, doc=doc, **flags)
        self.pays.append(pay)
        if doc is not None:
            doc.paid += -cents if pay.is_return else cents
        return pay

    def _sell(self, seconds, shape):
        rng = self.rng
        lines = self._lines()
        total = sum(q * price for _, q, price, _ in lines)
        doc = Doc("sell", self.contact, seconds, total, location=rng.randrange(2), lines=lines)
        doc.term = self.term
        self.docs.append(doc)
        if shape == "full":
            self._payment(doc, total, seconds)
        elif shape == "split":
            part = max(1, total * rng.randint(20, 80) // 100)
            self._payment(doc, part, seconds)
            self._payment(doc, total - part, seconds)
        elif shape == "change":
            tendered = (total // 1000 + 1) * 1000
            self._payment(doc, tendered, seconds, method="cash")
            self._payment(doc, tendered - total, seconds, method="cash", is_return=True)
        elif shape == "partial":
            self._payment(doc, max(1, total * rng.randint(10, 90) // 100), seconds)
        elif shape == "advance" and self.balance >= total:
            self._spend_advance(doc, seconds)
        if doc.due > 0:
            self._open.append(doc)

    def _spend_advance(self, doc, seconds):
        """Method `advance`: children of the oldest parents with money left (not rows of the ledger)."""
        remaining = doc.due
        while remaining:
            entry = self._free[0]
            take = min(entry[1], remaining)
            self._payment(doc, take, seconds, method="advance", parent=entry[0], payment_type="credit")
            entry[1] -= take
            remaining -= take
            if not entry[1]:
                self._free.popleft()
        self.balance -= doc.total

    def _pay_due(self, seconds, _):
        rng = self.rng
        owed = sum(d.due for d in self._open)
        amount = owed * rng.randint(40, 115) // 100 if owed else rng.randrange(1000, 20_000)
        amount = max(amount, 100)
        flags = {"payment_type": "credit", "due_type": "sell"}
        parent = self._payment(None, amount, seconds, is_advance=True, **flags)
        remaining = amount
        while remaining and self._open:
            doc = self._open[0]
            take = min(doc.due, remaining)
            self._payment(doc, take, seconds, method=parent.method, parent=parent, **flags)
            remaining -= take
            if not doc.due:
                self._open.popleft()
        if remaining:
            self.balance += remaining
            self._free.append([parent, remaining])

    def _reverse(self, seconds, _):
        """Money handed back the other way: a standalone debit row, not allocated, the balance untouched."""
        cents = self.rng.randrange(500, 10_000)
        self._payment(None, cents, seconds, is_reverse=True, payment_type="debit", due_type="sell", note="Refund")

    def _discount(self, seconds, _):
        doc = Doc("ledger_discount", self.contact, seconds, self.rng.randrange(500, 5000), location=None)
        doc.sub_type, doc.note = "sell_discount", "Loyalty discount"
        self.docs.append(doc)

    def _returns(self, count: int, refunded: int):
        """One line of `count` final sells comes back a few days later; `refunded` of them are paid back."""
        rng = self.rng
        sells = [d for d in self.docs if d.kind == "sell" and d.status == "final" and d.seconds < self.span - 12 * DAY]
        for k, sell in enumerate(rng.sample(sells, count)):
            line = rng.choice(sell.lines)
            line[3] = rng.randint(1, line[1])
            when = sell.seconds + rng.randrange(DAY, 10 * DAY)
            doc = Doc("sell_return", self.contact, when, line[3] * line[2], location=sell.location, parent=sell)
            self.docs.append(doc)
            if k < refunded:
                self._payment(doc, doc.total, when + DAY, method="cash")
