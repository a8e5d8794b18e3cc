"""Two years of a retailer's money, simulated in Python for the accounts benchmark (see bench/README.md).

The goods side is the ledger benchmark's trading (bench/ledger_history.py: the sells, weekly purchase orders and
their FIFO, so each purchase line's quantity_sold is what trading would have taken). On top of it, in time order,
as the services would have recorded it: contact opening balances; sells paid at the counter (some split, some cash
with change returned), later, in part or not at all; pay-due payments (a parent and its allocations to the oldest
open documents, any excess held as advance); refunds of half the sell returns; suppliers paid per purchase or
monthly by pay-due. Every payment with an account posts its movement (credit in, debit out); the rest of the
account transactions are opening balances, deposits (some from another account: two linked legs) and fund
transfers (two linked legs), sized so the table holds exactly the number of rows asked for. Ids and reference
numbers are given in date order."""

from collections import deque

import ledger_history as history
from ledger_history import DAYS, LOCATIONS, METHODS, WEEK, money, picker

DAY = 86400
END = DAYS * DAY
MONTH = 30 * DAY
TILLS = 5  # per location
TILL_FLOAT, SAFE_FLOAT = 15_000, 50_000  # cents left behind by a cash drop / a bank deposit
ACCOUNT_METHOD = {"card": "card", "bank_transfer": "bank", "cheque": "cheque"}
PAY_DUE_METHODS = (("bank_transfer", 0.6), ("cheque", 0.25), ("cash", 0.15))
PAYMENT_SHARE = 0.7  # about this share of the movements is posted by payments; deposits and transfers fill the rest
PER_SELL = 0.95  # movements posted per sell, about (measured), to size the trading from --rows
MONTHLY = (("savings", 500_000), ("tax", 200_000), ("payroll", 3_000_000), ("credit_card", 150_000), ("loan", 250_000))


def account_plan() -> list[dict]:
    """The 50 accounts: (key, name, number, type, opening balance cents, closed)."""
    plan = [
        ("bank", "Main bank", "GB29 NWBK 6016 1331 9268 19", "Current accounts", 25_000_000),
        ("card", "Card settlement", "MID 4410 2291", "Current accounts", 0),
        ("cheque", "Cheque clearing", "GB29 NWBK 6016 1331 9268 20", "Current accounts", 0),
        ("savings", "Savings", "GB94 BARC 1020 1530 0934 59", "Bank accounts", 5_000_000),
        ("payroll", "Payroll", "GB29 NWBK 6016 1331 9268 21", "Current accounts", 1_000_000),
        ("tax", "Tax reserve", "GB29 NWBK 6016 1331 9268 22", "Bank accounts", 0),
        ("credit_card", "Business credit card", "5412 7500 0000 1234", "Credit", -1_200_000),
        ("loan", "Equipment loan", "LN-2023-0042", "Loans", -8_000_000),
    ]
    for at, (location, _) in enumerate(LOCATIONS):
        plan.append((("safe", at), f"Safe – {location}", f"SAFE-{at + 1}", "Cash", 100_000))
        plan += [
            (("till", at, k), f"Till {k + 1} – {location}", f"TILL-{at + 1}-{k + 1}", "Cash", 15_000)
            for k in range(TILLS)
        ]
        plan.append((("petty", at), f"Petty cash – {location}", f"PETTY-{at + 1}", "Cash", 10_000))
    plan += [(("project", k), f"Project {k + 1}", f"PRJ-{k + 1:03d}", "Bank accounts", 0) for k in range(10)]
    plan += [(("closed", k), f"Old bank {k + 1}", f"OLD-{k + 1:03d}", "Bank accounts", 300_000) for k in range(4)]
    return [
        {"key": key, "name": name, "number": number, "type": kind, "opening": opening, "closed": key[0] == "closed"}
        for key, name, number, kind, opening in plan
    ]


class Doc:
    __slots__ = ("id", "kind", "status", "contact", "location", "number", "seconds", "subtotal", "discount", "shipping")
    __slots__ += ("final", "term", "parent", "paid")

    def __init__(self, kind, status, contact, location, number, seconds, subtotal, final, **extra):
        self.kind, self.status, self.contact, self.location = kind, status, contact, location
        self.number, self.seconds, self.subtotal, self.final = number, seconds, subtotal, final
        self.discount, self.shipping = extra.get("discount", (None, 0)), extra.get("shipping", 0)
        self.term, self.parent, self.paid, self.id = extra.get("term"), extra.get("parent"), 0, None

    @property
    def payment_status(self) -> str:
        return "paid" if self.paid >= self.final else "partial" if self.paid > 0 else "due"


class Pay:
    __slots__ = ("id", "seq", "doc", "parent", "contact", "cents", "method", "seconds", "number", "is_return")
    __slots__ += ("is_advance", "payment_type", "due_type", "account", "move", "user", "counter")


class Move:
    __slots__ = ("id", "seq", "account", "type", "sub_type", "cents", "seconds", "note", "pair", "pay", "user")
    __slots__ += ("keep",)


class History:
    """The whole history; `movements`, `payments`, `docs`, `purchase_lines` are what gets COPYed."""

    def __init__(self, rng, *, accounts: list[dict], customers, suppliers, walk_in, rows: int):
        self.rng, self.accounts, self.customers, self.suppliers = rng, accounts, customers, suppliers
        self.walk_in, self.rows = walk_in, rows
        self.at = {a["key"]: k for k, a in enumerate(accounts)}
        self.docs: list[Doc] = []
        self.payments: list[Pay] = []
        self.movements: list[Move] = []
        self.purchase_lines: list[tuple] = []
        self.counters = dict.fromkeys(("sell_invoice", "sell_return", "purchase", "opening_balance"), 0)
        self.open: dict[int, deque] = {}  # (contact, side) -> open documents, oldest first
        self.settle_at: dict = {}
        self.advance: dict[int, int] = {}  # contact -> advance balance cents
        self.pick_method = picker(rng, [w for _, w in METHODS])
        self.pick_pay_due = picker(rng, [w for _, w in PAY_DUE_METHODS])
        self.seq = 0

    # --- building blocks -------------------------------------------------------------------------------------

    def number(self, counter, prefix, seconds):
        self.counters[counter] += 1
        count = self.counters[counter]
        return (
            f"{prefix}{count:04d}" if counter == "sell_invoice" else f"{prefix}{history.year_of(seconds)}/{count:04d}"
        )

    def doc(self, kind, status, contact, location, seconds, subtotal, final, **extra) -> Doc:
        counter, prefix = {"sell": ("sell_invoice", "INV"), "sell_return": ("sell_return", "CN")}.get(kind, (kind, ""))
        prefix = "PO" if kind == "purchase" else prefix
        d = Doc(
            kind, status, contact, location, self.number(counter, prefix, seconds), seconds, subtotal, final, **extra
        )
        d.id = len(self.docs)
        self.docs.append(d)
        return d

    def move(self, account, type, cents, seconds, *, sub_type=None, note=None, user=1, keep=None) -> Move:
        m = Move()
        m.account, m.type, m.cents, m.seconds, m.sub_type, m.note, m.user, m.keep = (
            account,
            type,
            cents,
            seconds,
            sub_type,
            note,
            user,
            keep,
        )
        m.pair = m.pay = None
        self.seq += 1
        m.seq = self.seq
        self.movements.append(m)
        return m

    def pair(self, source, target, cents, seconds, *, sub_type, note, keep=None):
        """A fund transfer (debit first) or a deposit from another account (credit first), linked both ways."""
        legs = [("debit", source), ("credit", target)]
        if sub_type == "deposit":
            legs.reverse()
        first, second = (self.move(a, t, cents, seconds, sub_type=sub_type, note=note, keep=keep) for t, a in legs)
        first.pair, second.pair = second, first

    def pay(self, doc, contact, cents, method, seconds, *, location, side, is_return=False, parent=None, **extra):
        p = Pay()
        p.doc, p.parent, p.contact, p.cents, p.method, p.seconds, p.is_return = (
            doc,
            parent,
            contact,
            cents,
            method,
            seconds,
            is_return,
        )
        p.is_advance, p.payment_type, p.due_type = (
            extra.get("is_advance", False),
            extra.get("payment_type"),
            extra.get("due_type"),
        )
        p.counter = "sell_payment" if side == "sell" else "purchase_payment"
        p.user = 2 if location is None else 3 + location  # the office, or the location's cashier
        self.seq += 1
        p.seq, p.account, p.move = self.seq, None, None
        self.payments.append(p)
        if doc is not None:
            doc.paid += -cents if is_return else cents
        if parent is None and extra.get("account", True) and self.rng.random() > 0.03:  # 3% not on any account
            p.account = self.account_for(method, location)
            flow = p.payment_type or (
                "debit" if is_return or side == "purchase" or doc.kind == "sell_return" else "credit"
            )
            p.move = self.move(p.account, flow, cents, seconds, user=p.user)
            p.move.pay = p
        return p

    def account_for(self, method, location) -> int:
        if method == "cash":
            if location is None:
                return self.at[("safe", 0)]
            return self.at[("till", location, self.rng.randrange(TILLS))]
        return self.at[ACCOUNT_METHOD.get(method, "bank")]

    # --- contacts' documents and payments -----------------------------------------------------------------------

    def owe(self, doc, side, due):
        key = (doc.contact, side)
        self.open.setdefault(key, deque()).append([doc, due])
        if self.settle_at.get(key) is None:
            self.settle_at[key] = doc.seconds + self.rng.randint(20, 40) * DAY

    def settle_until(self, contact, side, seconds):
        key = (contact, side)
        while self.settle_at.get(key) is not None and self.settle_at[key] <= seconds:
            self.settle(key, self.settle_at[key])

    def settle(self, key, when):
        """One pay-due payment: its allocations to the oldest open documents, anything over into the advance."""
        contact, side = key
        queue, rng = self.open[key], self.rng
        total = sum(due for _, due in queue)
        roll = rng.random()
        cents = total if roll < 0.7 else max(1, total * rng.randint(30, 90) // 100) if roll < 0.92 else total * 11 // 10
        method = PAY_DUE_METHODS[self.pick_pay_due()][0] if side == "sell" else "bank_transfer"
        common = {"payment_type": "credit" if side == "sell" else "debit", "due_type": side}
        parent = self.pay(None, contact, cents, method, when, location=None, side=side, is_advance=True, **common)
        left = cents
        while queue and left:
            entry = queue[0]
            take = min(entry[1], left)
            self.pay(entry[0], contact, take, method, when, location=None, side=side, parent=parent, **common)
            entry[1] -= take
            left -= take
            if not entry[1]:
                queue.popleft()
        if left:
            self.advance[contact] = self.advance.get(contact, 0) + left
        self.settle_at[key] = when + rng.randint(25, 35) * DAY if queue else None

    def opening_balances(self):
        """Opening balances of 15% of the customers and of a third of the suppliers, on the first day."""
        rng = self.rng
        for contact, side, share in [(c, "sell", 0.15) for c in self.customers] + [
            (s, "purchase", 0.34) for s in self.suppliers
        ]:
            if rng.random() < share:
                cents = rng.randrange(5_000, 500_000)
                self.owe(self.doc("opening_balance", "final", contact, 0, 0, cents, cents), side, cents)

    def sell(self, sell):
        """One sell of the ledger trading: its document, payments, return and refund."""
        rng = self.rng
        seconds, location, customer, status, lines, discount, shipping, term = sell
        contact = self.walk_in if customer < 0 else self.customers[customer]
        if customer >= 0:
            self.settle_until(contact, "sell", seconds)
        subtotal = sum(quantity * price for _, quantity, price, _ in lines)
        off = discount[1] if discount[0] == "fixed" else (subtotal * discount[1] // 100 + 50) // 100
        if subtotal - off + shipping < 0:
            discount, off = (None, 0), 0
        final = subtotal - off + shipping
        d = self.doc("sell", status, contact, location, seconds, subtotal, final, discount=discount, shipping=shipping)
        d.term = term
        if status == "final":
            roll = 0.0 if customer < 0 else rng.random()
            kw = {"location": location, "side": "sell"}
            if roll < 0.55 or final <= 1:
                later = seconds if customer < 0 or rng.random() < 0.6 else seconds + rng.randrange(MONTH)
                shape = rng.random()
                if shape < 0.03:  # cash tendered, change given back
                    tendered = (final // 1000 + 1) * 1000
                    self.pay(d, contact, tendered, "cash", seconds, **kw)
                    self.pay(d, contact, tendered - final, "cash", seconds, is_return=True, **kw)
                elif shape < 0.15:
                    part = max(1, min(final - 1, final * rng.randint(20, 80) // 100))
                    self.pay(d, contact, part, self.method(), seconds, **kw)
                    self.pay(d, contact, final - part, self.method(), later, **kw)
                else:
                    self.pay(d, contact, final, self.method(), later, **kw)
            elif roll < 0.70:
                part = max(1, min(final - 1, final * rng.randint(10, 90) // 100))
                self.pay(d, contact, part, self.method(), seconds, **kw)
                self.owe(d, "sell", final - part)
            else:
                self.owe(d, "sell", final)
        returned = sum(returned * price for _, _, price, returned in lines)
        if returned:
            when = seconds + 3 * DAY
            r = self.doc("sell_return", "final", contact, location, when, returned, returned, parent=d)
            if rng.random() < 0.5:
                self.pay(r, contact, returned, "cash", when, location=location, side="sell")

    def method(self) -> str:
        return METHODS[self.pick_method()][0]

    def purchase(self, week, supplier, location, items, variations, line_ids):
        """One received purchase order: items are (order index, variation, quantity, sold)."""
        seconds = week * WEEK - 7200
        priced = [(k, v, q, s, variations[v][3] * (95 + (week * 7 + v) % 11) // 100) for k, v, q, s in items]
        total = sum(q * price for _, _, q, _, price in priced)
        contact = self.suppliers[supplier]
        monthly = supplier % 2 == 1  # odd suppliers are paid by monthly pay-due, the others per purchase
        if monthly:
            self.settle_until(contact, "purchase", seconds)
        d = self.doc("purchase", "received", contact, location, seconds, total, total, term=30)
        if monthly:
            self.owe(d, "purchase", total)
        elif seconds < END - 60 * DAY:
            self.pay(d, contact, total, "bank_transfer", seconds + 14 * DAY, location=None, side="purchase")
        for k, v, quantity, sold, price in priced:
            self.purchase_lines.append((line_ids[k], d, location, variations[v], quantity, price, sold))

    def trading(self, sells, variations, orders, sold, supplier_of):
        """Purchase orders grouped by (week, supplier, location) into documents, each week's before its sells."""
        keyed = sorted(
            range(len(orders)),
            key=lambda k: (orders[k][0], supplier_of[variations[orders[k][1]][1]], orders[k][2], orders[k][1]),
        )
        line_ids = [0] * len(orders)
        for position, k in enumerate(keyed):
            line_ids[k] = position
        documents = []
        for k in keyed:
            week, v, location, quantity = orders[k]
            key = (week, supplier_of[variations[v][1]], location)
            if not documents or documents[-1][:3] != key:
                documents.append((*key, []))
            documents[-1][3].append((k, v, quantity, sold[k]))
        d = 0
        for sell in sells:
            while d < len(documents) and documents[d][0] <= sell[0] // WEEK:
                self.purchase(*documents[d], variations, line_ids)
                d += 1
            self.sell(sell)
        for key in list(self.settle_at):
            self.settle_until(*key, END)

    # --- deposits and transfers ---------------------------------------------------------------------------------

    def bookkeeping(self):
        """Opening balances, then deposits and transfers: a fixed calendar, cash drops from the tills and one-off
        deposits, as many as make the table hold exactly `rows` movements."""
        rng, at = self.rng, self.at
        for k, a in enumerate(self.accounts):
            if a["opening"]:
                kind = "credit" if a["opening"] > 0 else "debit"
                self.move(k, kind, abs(a["opening"]), 0, sub_type="opening_balance", note="Opening balance", user=0)
        accountant = 1
        for day in range(DAYS):
            evening = day * DAY + 22 * 3600
            self.pair(at["card"], at["bank"], 0, evening, sub_type="fund_transfer", note="Card settlement", keep=0)
            for loc in range(len(LOCATIONS)):
                self.pair(
                    at[("safe", loc)],
                    at["bank"],
                    0,
                    evening + 600,
                    sub_type="deposit",
                    note="Bank deposit",
                    keep=SAFE_FLOAT,
                )
                if day % 7 == 0:
                    self.pair(
                        at[("safe", loc)],
                        at[("petty", loc)],
                        15_000,
                        evening,
                        sub_type="fund_transfer",
                        note="Petty cash top-up",
                    )
            if day % 7 == 6:
                self.pair(
                    at["cheque"], at["bank"], 0, evening, sub_type="fund_transfer", note="Cheques cleared", keep=0
                )
            if day % 30 == 27:
                for key, cents in MONTHLY:
                    self.pair(at["bank"], at[key], cents, evening, sub_type="fund_transfer", note=f"Monthly {key}")
                self.move(
                    at["savings"],
                    "credit",
                    rng.randrange(5_000, 20_000),
                    evening,
                    sub_type="deposit",
                    note="Interest",
                    user=accountant,
                )
        for k in range(4):  # old banks: used in the first half of 2024, emptied into the main bank, closed
            account = at[("closed", k)]
            for month in range(6):
                self.move(
                    account,
                    "credit",
                    rng.randrange(10_000, 200_000),
                    month * MONTH + DAY,
                    sub_type="deposit",
                    note="Transfer in",
                    user=accountant,
                )
            self.pair(account, at["bank"], 0, 182 * DAY, sub_type="fund_transfer", note="Account closed", keep=0)
        left = self.rows - len(self.movements)
        if left < 0:
            raise SystemExit(
                f"--rows {self.rows:,} is too few for the trading and the calendar ({len(self.movements):,})"
            )
        single = left // 10
        single += (left - single) % 2
        tills = [at[("till", loc, k)] for loc in range(len(LOCATIONS)) for k in range(TILLS)]
        for _ in range((left - single) // 2):
            till = rng.choice(tills)
            safe = at[("safe", self.accounts[till]["key"][1])]
            when = rng.randrange(DAYS) * DAY + rng.randrange(9 * 3600, 21 * 3600)
            self.pair(till, safe, 0, when, sub_type="fund_transfer", note="Cash drop", keep=TILL_FLOAT)
        targets = tills + [at[("project", k)] for k in range(10)] + [at["savings"], at["bank"]]
        for _ in range(single):
            when = rng.randrange(DAYS) * DAY + rng.randrange(9 * 3600, 18 * 3600)
            self.move(
                rng.choice(targets),
                "credit",
                rng.randrange(1_000, 500_000),
                when,
                sub_type="deposit",
                note=rng.choice(("Float top-up", "Owner contribution", "Grant", "Refund received")),
                user=accountant,
            )
        assert len(self.movements) == self.rows

    def number_everything(self):
        """Ids in date order; sweeps (keep set) take what their source holds above `keep` at that moment."""
        self.movements.sort(key=lambda m: (m.seconds, m.seq))
        balance = [0] * len(self.accounts)
        for k, m in enumerate(self.movements, start=1):
            m.id = k
            if m.keep is not None and m.type == ("debit" if m.sub_type == "fund_transfer" else "credit"):
                source = m.account if m.type == "debit" else m.pair.account
                m.cents = m.pair.cents = max(1, balance[source] - m.keep)
            balance[m.account] += m.cents if m.type == "credit" else -m.cents
        self.payments.sort(key=lambda p: (p.seconds, p.seq))
        counts = {"sell_payment": 0, "purchase_payment": 0}
        for k, p in enumerate(self.payments, start=1):
            p.id = k
            counts[p.counter] += 1
            prefix = "SP" if p.counter == "sell_payment" else "PP"
            p.number = f"{prefix}{history.year_of(p.seconds)}/{counts[p.counter]:04d}"
        self.counters.update(counts)
        return balance


def size_trading(rows: int) -> int:
    """Sells for about PAYMENT_SHARE of `rows` movements posted by payments."""
    return max(1_000, int(rows * PAYMENT_SHARE / PER_SELL))


__all__ = ["History", "account_plan", "size_trading", "money"]
