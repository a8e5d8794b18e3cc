"""Property test of payment accounts (RULES §4, §9): Hypothesis drives random sequences of account creations (opening
balances positive, negative or none), deposits (with and without a source account), fund transfers, account
closings, sells and purchases paid into accounts (or not), payments on existing documents, pay-dues with accounts
(some reversed), payments from the advance balance, and payment deletions — all through the HTTP API, one request
per step. Every step first predicts from the rows whether it must be refused (a closed account, the same account
twice, more than is due, more advance than there is, an advance already spent) and checks it was: 422, and
nothing written. After every step:

(a) each account's balance (GET /accounts) == Σ credit − Σ debit of its movements == the last
    `account_balance_after` of its cash-flow rows (account_id filter), and the combined balance after the last row
    of the unfiltered cash flow == Σ of every balance;
(b) every deposit with a source and every fund transfer has exactly two legs (credit, debit) of the same amount and
    date, each pointing at the other: they sum to zero; a deposit without a source is one unlinked credit, and
    nothing else is linked;
(c) the trial balance's account lines == the balance sheet's == the accounts' balances from their movements before
    the end of the same day; debit_total == customer_due + Σ balances, credit_total == supplier_due;
(d) customer_due and supplier_due of both reports == the dues of the ledger engine for the same scope (end of a
    day, optionally one location): Σ over customers of their due plus the sell side of `both` contacts, Σ over
    suppliers plus the purchase side of `both` — checked against ledger_totals for each contact and against an
    independent reading of the rows by RULES §6; so customer_due − supplier_due == Σ every contact's due in the
    customer direction; with no scope, each due is also selectors.contact_balance's;
(e) every payment with an account (a parent or single-document payment) has exactly one movement of the right
    type (its payment_type, else by its document), amount, date and links; allocations (children) and
    advance-method payments have none; no movement points at a payment that is gone.

Each example runs inside one atomic block rolled back at its end (transaction.set_rollback), sharing one business,
its two locations, a customer, a supplier, a customer-and-supplier and an unstocked product. Settings are
deterministic for CI (derandomize, no example database); `HYPOTHESIS_EXPLORE=1` draws new examples and
`HYPOTHESIS_MAX_EXAMPLES=n` changes the count.
"""

import datetime
import os
from collections import defaultdict
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from accounts.models import Account, AccountTransaction
from accounts.tests.fixtures_books import all_cash_flow, enable_accounts, get, movements_sum
from contacts.models import Contact
from core.dates import day_bounds
from core.tests.matrix import BASE
from ledger.contact_ledger import ledger_totals, owes_us_direction
from ledger.models import Transaction, TransactionPayment
from ledger.selectors import contact_balance
from ledger.tests.builders import make_customer, make_product, money_json, variation_of

EXPLORE = os.environ.get("HYPOTHESIS_EXPLORE") == "1"
SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "25")),
    deadline=None,
    derandomize=not EXPLORE,
    database=None if not EXPLORE else settings.default.database,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
DAY0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
EVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
HOURS = [0, 9, 13, 23]  # midnight: the reports' day bounds
OPS = [
    *["create"],
    *["deposit"] * 2,
    *["transfer"] * 2,
    *["close"],
    *["sell"] * 2,
    *["purchase"] * 2,
    *["pay"] * 2,
    *["pay_due"] * 3,
    *["advance"] * 2,
    *["delete"] * 2,
]
PURCHASE_SIDE = ("purchase", "purchase_return")


@pytest.fixture
def world(api, business):
    enable_accounts(business)
    shop, depot = business.locations.order_by("id")
    service = make_product(business, api.user, name="Service", enable_stock=False, purchase_price="1", sell_price="1")
    return SimpleNamespace(
        api=api,
        business=business,
        locations=[shop, depot],
        variation=variation_of(service),
        contacts={
            kind: make_customer(business, type=kind, name=f"Random {kind}") for kind in ("customer", "supplier", "both")
        },
    )


@SETTINGS
@given(data=st.data())
def test_account_invariants_hold_after_every_step(world, data):
    with transaction.atomic():
        seed = [
            "create",
            *data.draw(st.lists(st.sampled_from(["create", "sell", "purchase"]), max_size=3), label="seed"),
        ]
        count = data.draw(st.integers(3, 10), label="steps")
        steps = [data.draw(st.sampled_from(OPS), label="step") for _ in range(count)]
        for op in seed + steps:
            outcome = STEPS[op](world, data)
            note(f"{op}: {outcome}")
            event(f"{op}: {outcome}")
            check_invariants(world, data)
        check_invariants(world, data, every_scope=True)
        transaction.set_rollback(True)


# --- drawing ---------------------------------------------------------------------------------------------------------


def _when(data, label="date") -> str:
    day = DAY0 + datetime.timedelta(days=data.draw(st.integers(0, 180), label=f"{label} day"))
    hour = data.draw(st.sampled_from(HOURS), label=f"{label} hour")
    return (day + datetime.timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")


def _cents(data, low, high, label) -> D:
    return D(data.draw(st.integers(low, high), label=label)) / 100


def _accounts(world):
    return list(Account.objects.filter(business=world.business).order_by("id"))


def _account(data, world, *, optional=False, label="account"):
    choices = _accounts(world)
    if optional:
        choices = [None, *choices]
    return data.draw(st.sampled_from(choices), label=label) if choices else None


def _post(world, url, body):
    response = world.api.post(f"{BASE}{url}", body, format="json")
    assert response.status_code in (200, 201, 422), (url, body, response.status_code, response.content[:600])
    return response


def _footprint(world):
    return (
        list(AccountTransaction.objects.filter(business=world.business).order_by("id").values_list()),
        list(TransactionPayment.objects.filter(business=world.business).order_by("id").values_list()),
        list(Transaction.objects.filter(business=world.business).order_by("id").values_list("id", "payment_status")),
        list(Contact.all_objects.filter(business=world.business).order_by("id").values_list("id", "balance")),
        list(Account.objects.filter(business=world.business).order_by("id").values_list("id", "is_closed")),
    )


def _attempt(world, refused: bool, url: str, body, ok: int = 201):
    """POST; refused exactly when predicted (then nothing is written), else `ok`."""
    before = _footprint(world) if refused else None
    response = _post(world, url, body)
    if refused:
        assert response.status_code == 422, (url, body, response.status_code, response.content[:600])
        assert _footprint(world) == before, f"a refused {url} wrote something"
        return "refused", None
    assert response.status_code == ok, (url, body, response.status_code, response.content[:600])
    return "done", money_json(response)["data"]


def _closed(account) -> bool:
    return account is not None and Account.objects.get(pk=account.pk).is_closed


def _payment_body(data, world, amount, *, methods=("cash", "card", "bank_transfer"), when=True):
    account = _account(data, world, optional=True, label="payment account")
    body = {"amount": str(amount), "method": data.draw(st.sampled_from(methods), label="method")}
    if when:
        body["paid_on"] = _when(data, "paid_on")
    if account is not None:
        body["account_id"] = account.pk
    return body, _closed(account)


# --- the steps: each returns what happened ----------------------------------------------------------------------------


def step_create(world, data):
    opening = data.draw(st.one_of(st.none(), st.integers(-500_000, 500_000)), label="opening cents")
    body = {"name": f"Account {data.draw(st.integers(1, 99), label='name')}", "account_number": "N-1"}
    if opening is not None:
        body["opening_balance"] = str(D(opening) / 100)
    outcome, account = _attempt(world, False, "/accounts", body)
    expected = D(opening or 0) / 100
    assert account["balance"] == expected
    openings = AccountTransaction.objects.filter(account_id=account["id"])
    if expected:
        (line,) = openings
        assert (line.type, line.amount, line.sub_type) == (
            "credit" if expected > 0 else "debit",
            abs(expected),
            "opening_balance",
        )
    else:
        assert not openings.exists()
    sign = "none" if opening is None else "zero" if not expected else "positive" if expected > 0 else "negative"
    return f"{outcome} opening {sign}"


def step_deposit(world, data):
    target = _account(data, world, label="deposit into")
    if target is None:
        return "skipped"
    source = _account(data, world, optional=True, label="deposit from")
    amount = _cents(data, 1, 1_000_000, "amount")
    body = {"account_id": target.pk, "amount": str(amount), "operation_date": _when(data)}
    if source is not None:
        body["from_account_id"] = source.pk
    refused = _closed(target) or _closed(source) or (source is not None and source.pk == target.pk)
    outcome, legs = _attempt(world, refused, "/accounts/deposit", body)
    if legs:
        assert (legs["credit"]["account_id"], legs["credit"]["amount"]) == (target.pk, amount)
        assert (legs["debit"] or {}).get("account_id") == (source.pk if source else None)
    return f"{outcome} {'from another account' if source else 'from outside'}"


def step_transfer(world, data):
    source = _account(data, world, label="transfer from")
    if source is None:
        return "skipped"
    others = [a for a in _accounts(world) if a.pk != source.pk]
    same = not others or data.draw(st.sampled_from([False, False, False, True]), label="to itself")
    target = source if same else data.draw(st.sampled_from(others), label="transfer to")
    amount = _cents(data, 1, 1_000_000, "amount")
    body = {
        "from_account_id": source.pk,
        "to_account_id": target.pk,
        "amount": str(amount),
        "operation_date": _when(data),
    }
    refused = _closed(source) or _closed(target) or source.pk == target.pk
    outcome, legs = _attempt(world, refused, "/accounts/fund-transfer", body)
    if legs:
        assert (legs["debit"]["account_id"], legs["credit"]["account_id"]) == (source.pk, target.pk)
        assert legs["debit"]["amount"] == legs["credit"]["amount"] == amount
    return outcome


def step_close(world, data):
    account = _account(data, world, label="close")
    if account is None:
        return "skipped"
    outcome, closed = _attempt(world, _closed(account), f"/accounts/{account.pk}/close", None, ok=200)
    if closed:
        assert closed["is_closed"] is True
    return outcome


def _document(world, data, kind, contact=None, paid=None):
    if contact is None:
        types = ("customer", "both") if kind == "sell" else ("supplier", "both")
        contact = world.contacts[data.draw(st.sampled_from(types), label=f"{kind} contact")]
    location = data.draw(st.sampled_from(world.locations), label="location")
    quantity = data.draw(st.integers(1, 5), label="quantity")
    price = _cents(data, 1, 100_000, "price")
    price_field = "unit_price" if kind == "sell" else "purchase_price"
    body = {
        "contact_id": contact.pk,
        "location_id": location.pk,
        "transaction_date": _when(data, kind),
        "lines": [{"variation_id": world.variation.pk, "quantity": str(quantity), price_field: str(price)}],
        "payments": [],
    }
    if kind == "purchase":
        body["status"] = data.draw(st.sampled_from(["received", "pending", "ordered"]), label="status")
    refused, how = False, "unpaid"
    total = int(quantity * price * 100)
    left = int(_advance_left(contact, "credit" if kind == "sell" else "debit") * 100)
    if paid is False:
        pass
    elif left > 0 and data.draw(st.booleans(), label="from the advance"):
        # what the contact paid ahead pays it (an account sent along must not move)
        payment, refused = _payment_body(data, world, _cents(data, 1, min(left, total), "paid"), methods=("advance",))
        body["payments"].append(payment)
        how = "paid from the advance"
    elif data.draw(st.booleans(), label="paid"):
        payment, refused = _payment_body(data, world, _cents(data, 1, total, "paid"))
        body["payments"].append(payment)
        how = "paid"
    outcome, _ = _attempt(world, refused, f"/{kind}s", body)
    return f"{outcome} {how}"


def step_sell(world, data):
    return _document(world, data, "sell")


def step_purchase(world, data):
    return _document(world, data, "purchase")


def _due_of(document: Transaction) -> D:
    paid = sum(
        (-p.amount if p.is_return else p.amount for p in TransactionPayment.objects.filter(transaction=document)), D(0)
    )
    return document.final_total - paid


def step_pay(world, data):
    documents = list(Transaction.objects.filter(business=world.business, type__in=("sell", "purchase")).order_by("id"))
    if not documents:
        return "skipped"
    document = data.draw(st.sampled_from(documents), label="document")
    due = _due_of(document)
    amount = _cents(data, 1, max(int(due * 100) + 500, 1), "amount")
    body, closed = _payment_body(data, world, amount)
    outcome, _ = _attempt(world, closed or amount > due, f"/{document.type}s/{document.pk}/payments", body)
    return f"{outcome} {'over the due' if amount > due else ''}"


def step_pay_due(world, data):
    kind = data.draw(st.sampled_from(list(world.contacts)), label="pay-due contact")
    contact = world.contacts[kind]
    amount = _cents(data, 1, 500_000, "amount")
    body, closed = _payment_body(data, world, amount, methods=("cash", "bank_transfer", "cheque"))
    body["due_payment_type"] = data.draw(
        st.sampled_from([None, "sell", "purchase", "sell_return", "purchase_return"]), label="due type"
    )
    body["is_reverse"] = data.draw(st.sampled_from([False, False, False, True]), label="reverse")
    outcome, _ = _attempt(world, closed, f"/contacts/{contact.pk}/payments", body)
    return f"{outcome} {'reverse' if body['is_reverse'] else ''}"


def _advance_left(contact, direction) -> D:
    parents = TransactionPayment.objects.filter(
        payment_for=contact,
        parent__isnull=True,
        transaction__isnull=True,
        is_advance=True,
        is_reverse=False,
        payment_type=direction,
    )
    return sum((p.amount - sum((c.amount for c in p.children.all()), D(0)) for p in parents), D(0))


def step_advance(world, data):
    """Pay a sell from what the contact paid us ahead (or a purchase from what we paid them ahead) with the
    `advance` method, an account sent along: no movement may follow. When the contact holds no such advance, a
    pay-due of more than all it owes on that side comes first; when nothing of theirs is open, a new unpaid
    document."""
    kind = data.draw(st.sampled_from(["sell", "purchase"]), label="advance pays a")
    types = ("customer", "both") if kind == "sell" else ("supplier", "both")
    contact = world.contacts[data.draw(st.sampled_from(types), label="advance contact")]
    direction = "credit" if kind == "sell" else "debit"
    done = []
    if _advance_left(contact, direction) <= 0:
        owed = sum(
            (
                _due_of(d)
                for d in Transaction.objects.filter(contact=contact, type__in=("opening_balance", kind))
                .exclude(payment_status="paid")
                .exclude(type="sell", status__in=("draft", "quotation"))
            ),
            D(0),
        )
        body, closed = _payment_body(data, world, owed + _cents(data, 1, 100_000, "advance"))
        outcome, _ = _attempt(world, closed, f"/contacts/{contact.pk}/payments", {**body, "due_payment_type": kind})
        done.append(f"pay-due {outcome}")
        if closed:
            return ", ".join(done)
    documents = [d for d in Transaction.objects.filter(contact=contact, type=kind).order_by("id") if _due_of(d) > 0]
    if not documents:
        _document(world, data, kind, contact=contact, paid=False)
        done.append("new document")
        documents = [d for d in Transaction.objects.filter(contact=contact, type=kind).order_by("id") if _due_of(d) > 0]
    document = data.draw(st.sampled_from(documents), label="document")
    due, left = _due_of(document), _advance_left(contact, direction)
    cap = min(due, left)
    over = data.draw(st.sampled_from([False, False, False, True]), label="more than there is")
    cents = int(cap * 100)
    amount = _cents(data, cents + 1, cents + 10_000, "amount") if over else _cents(data, 1, cents, "amount")
    body, closed = _payment_body(data, world, amount, methods=("advance",))
    refused = closed or amount > due or amount > left
    outcome, _ = _attempt(world, refused, f"/{document.type}s/{document.pk}/payments", body)
    if not refused:
        spent = TransactionPayment.objects.filter(transaction=document, method="advance").order_by("-id").first()
        assert spent.parent_id is not None and spent.account_id is None
    done.append(f"advance {outcome}")
    return ", ".join(done)


def step_delete(world, data):
    payments = list(TransactionPayment.objects.filter(business=world.business).order_by("id"))
    if not payments:
        return "skipped"
    kinds = defaultdict(list)  # drawn by kind first, so allocations (children) get deleted too
    for p in payments:
        kinds["child" if p.parent_id else "pay-due" if p.transaction_id is None else "single"].append(p)
    chosen = data.draw(st.sampled_from(sorted(kinds)), label="delete a")
    payment = data.draw(st.sampled_from(kinds[chosen]), label="payment")
    refused = False
    if payment.parent_id is None and payment.transaction_id is None and payment.is_advance:
        unallocated = payment.amount - sum((c.amount for c in payment.children.all()), D(0))
        refused = Contact.all_objects.get(pk=payment.payment_for_id).balance - unallocated < 0
    before = _footprint(world)
    response = world.api.delete(f"{BASE}/payments/{payment.pk}")
    if refused:
        assert response.status_code == 422, response.content
        assert _footprint(world) == before
        return "refused"
    assert response.status_code == 200, response.content
    assert not TransactionPayment.objects.filter(pk=payment.pk).exists()
    assert not AccountTransaction.objects.filter(transaction_payment_id=payment.pk).exists()
    kind = "child" if payment.parent_id else "pay-due" if payment.transaction_id is None else "single"
    return f"done {kind}"


STEPS = {
    "create": step_create,
    "deposit": step_deposit,
    "transfer": step_transfer,
    "close": step_close,
    "sell": step_sell,
    "purchase": step_purchase,
    "pay": step_pay,
    "pay_due": step_pay_due,
    "advance": step_advance,
    "delete": step_delete,
}


# --- the invariants ------------------------------------------------------------------------------------------------


def check_invariants(world, data, every_scope=False):
    """After a step: (a), (b), (e), and (c) and (d) in one drawn scope; at the end of an example, (a) with the
    account_id filter for every account and (c), (d) in four scopes."""
    check_balances(world, data, every_account=every_scope)
    check_legs(world)
    check_payment_movements(world)
    shop, depot = world.locations
    if every_scope:
        day = _report_day(data)
        scopes = [(None, None), (day, None), (day, shop), (None, depot)]
    else:
        location = data.draw(st.sampled_from([None, shop, depot]), label="report location")
        scopes = [(data.draw(st.sampled_from([_report_day(data), None]), label="report day"), location)]
    for end_date, location in scopes:
        check_reports(world, end_date, location)


def _report_day(data) -> datetime.date:
    return (DAY0 + datetime.timedelta(days=data.draw(st.integers(-1, 185), label="report day"))).date()


def check_balances(world, data, every_account=False):
    """(a): the list's balances against the movements and the unfiltered cash flow (each account's last row, and
    the combined balance after the last row); the account_id-filtered cash flow of one drawn account after a step,
    of every account at the end."""
    listed = {row["id"]: row["balance"] for row in get(world.api, "/accounts?per_page=100")["data"]}
    assert set(listed) == {a.pk for a in _accounts(world)}
    rows = all_cash_flow(world.api)
    last = {r["account_id"]: r["account_balance_after"] for r in rows}
    for account_id, balance in listed.items():
        assert balance == movements_sum(account_id) == last.get(account_id, D(0)), account_id
    assert (rows[-1]["combined_balance_after"] if rows else D(0)) == sum(listed.values(), D(0))
    if not listed:
        return
    chosen = sorted(listed) if every_account else [data.draw(st.sampled_from(sorted(listed)), label="cash flow of")]
    for account_id in chosen:
        own = all_cash_flow(world.api, f"account_id={account_id}")
        assert [r["id"] for r in own] == [r["id"] for r in rows if r["account_id"] == account_id]
        assert (own[-1]["account_balance_after"] if own else D(0)) == listed[account_id]
        assert all(r["account_balance_after"] == r["combined_balance_after"] for r in own)


def check_legs(world):
    """(b)"""
    movements = {m.pk: m for m in AccountTransaction.objects.filter(business=world.business)}
    for m in movements.values():
        if m.sub_type == "fund_transfer" or (m.sub_type == "deposit" and m.transfer_transaction_id):
            other = movements[m.transfer_transaction_id]
            assert other.transfer_transaction_id == m.pk, (m.pk, other.pk)
            assert (other.sub_type, other.amount, other.operation_date) == (m.sub_type, m.amount, m.operation_date)
            assert {m.type, other.type} == {"credit", "debit"}
            assert other.account_id != m.account_id
        elif m.sub_type == "deposit":
            assert m.type == "credit"
            assert not [o for o in movements.values() if o.transfer_transaction_id == m.pk]
        else:  # opening balances and payments' movements stand alone
            assert m.transfer_transaction_id is None
            assert not [o for o in movements.values() if o.transfer_transaction_id == m.pk]
    paired = [m for m in movements.values() if m.transfer_transaction_id]
    assert sum((m.amount if m.type == "credit" else -m.amount for m in paired), D(0)) == 0


def _money_side(payment: TransactionPayment) -> str:
    if payment.payment_type:
        return payment.payment_type
    if payment.is_return:
        return "debit"
    document = payment.transaction
    if document.type in ("sell", "purchase_return"):
        return "credit"
    if document.type == "opening_balance" and document.contact.type != Contact.Type.SUPPLIER:
        return "credit"
    return "debit"


def check_payment_movements(world):
    """(e)"""
    payments = TransactionPayment.objects.filter(business=world.business).select_related("transaction__contact")
    ids = set()
    for p in payments:
        ids.add(p.pk)
        movements = list(AccountTransaction.objects.filter(transaction_payment_id=p.pk))
        if p.parent_id is not None or p.method == "advance" or p.account_id is None:
            assert movements == [] and p.account_transaction_id is None, (p.pk, p.parent_id, p.method)
            if p.parent_id is not None or p.method == "advance":
                assert p.account_id is None
            continue
        (m,) = movements
        assert p.account_transaction_id == m.pk
        assert (m.account_id, m.type, m.amount, m.operation_date) == (p.account_id, _money_side(p), p.amount, p.paid_on)
        assert (m.transaction_id, m.payment_ref_no, m.payment_method, m.sub_type) == (
            p.transaction_id,
            p.payment_ref_no,
            p.method,
            None,
        )
    orphans = AccountTransaction.objects.filter(business=world.business, transaction_payment_id__isnull=False).exclude(
        transaction_payment_id__in=ids
    )
    assert not orphans.exists()


def _sides(contact, before, location) -> tuple[D, D]:
    """An independent reading of RULES §3 and §6 for one contact: (sell side: debit − credit, purchase side: credit
    − debit) over the rows dated before `before`, of one location (plus ledger discounts and contact-level
    payments) when given."""
    sell = purchase = D(0)
    documents = Transaction.objects.filter(contact=contact, transaction_date__lt=before)
    if location is not None:
        documents = documents.filter(Q(location=location) | Q(type="ledger_discount"))
    for d in documents:
        if d.type == "sell" and d.status != "final":
            continue
        if d.type == "opening_balance":  # a supplier's is what we owe them; anyone else's what they owe us
            kind = "purchase" if contact.type == Contact.Type.SUPPLIER else "sell"
        elif d.type == "ledger_discount":
            kind = "purchase_return" if d.sub_type == "purchase_discount" else "sell_return"
        else:
            kind = d.type
        sell += {"sell": d.final_total, "sell_return": -d.final_total}.get(kind, D(0))
        purchase += {"purchase": d.final_total, "purchase_return": -d.final_total}.get(kind, D(0))
    payments = TransactionPayment.objects.filter(payment_for=contact, parent__isnull=True, paid_on__lt=before)
    for p in payments.select_related("transaction"):
        if location is not None and p.transaction_id is not None and p.transaction.location_id != location.pk:
            continue
        kind = p.transaction.type if p.transaction_id else None
        if kind == "opening_balance" and contact.type == Contact.Type.SUPPLIER:
            kind = "purchase"  # paying what we owed a supplier from the start
        debit = p.payment_type == "debit" or (
            p.payment_type is None and (p.is_return or kind in ("purchase", "sell_return"))
        )
        effect = p.amount if debit else -p.amount  # debit − credit
        on_purchase_side = p.due_payment_type in PURCHASE_SIDE if p.due_payment_type else kind in PURCHASE_SIDE
        if on_purchase_side:
            purchase -= effect
        else:
            sell += effect
    return sell, purchase


def check_reports(world, end_date, location):
    """(c) and (d) for one scope: the end of end_date (None: today, the reports' default) and a location or none."""
    query = f"end_date={end_date.isoformat()}" if end_date else ""
    if location is not None:
        query += f"&location_id={location.pk}"
    sheet = get(world.api, f"/accounts/reports/balance-sheet?{query}")["data"]
    trial = get(world.api, f"/accounts/reports/trial-balance?{query}")["data"]
    day = datetime.date.fromisoformat(sheet["end_date"])
    _, before = day_bounds(world.business, day, day)

    # (c)
    expected = []
    for account in Account.objects.filter(business=world.business).with_balance(before=before).order_by("name", "id"):
        movements = AccountTransaction.objects.filter(account=account, operation_date__lt=before)
        balance = sum((m.amount if m.type == "credit" else -m.amount for m in movements), D(0))
        assert account.balance == balance
        expected.append(
            {"id": account.pk, "name": account.name, "account_number": account.account_number, "balance": balance}
        )
    assert trial["accounts"] == sheet["accounts"] == expected
    assert trial["account_balances"] == sheet["account_balances"]
    total = sum((a["balance"] for a in expected), D(0))
    assert trial["debit_total"] == trial["customer_due"] + total
    assert trial["credit_total"] == trial["supplier_due"]

    # (d)
    customer_due = supplier_due = direction_sum = D(0)
    for contact in Contact.all_objects.filter(business=world.business):
        sell, purchase = _sides(contact, before, location)
        if location is None and end_date is None:  # every row so far: the balance endpoint's `due`
            due = contact_balance(contact)["due"]
        else:
            engine = ledger_totals(contact, EVER, before, location.pk if location else None)
            due = -engine.closing if owes_us_direction(contact) == 1 else engine.closing
        assert due == (purchase - sell if contact.type == Contact.Type.SUPPLIER else sell - purchase), contact.type
        if contact.type == Contact.Type.CUSTOMER:
            customer_due += due
        elif contact.type == Contact.Type.SUPPLIER:
            supplier_due += due
        else:
            customer_due += sell
            supplier_due += purchase
        direction_sum += -due if contact.type == Contact.Type.SUPPLIER else due
    for report in (sheet, trial):
        assert (report["customer_due"], report["supplier_due"]) == (customer_due, supplier_due), (day, location)
        assert report["customer_due"] - report["supplier_due"] == direction_sum
