"""Builders for the payment-accounts API tests (payment-accounts-api.txt; RULES §4, §9).

    books = open_books(business, admin_user)          # module on, a trading shop, four accounts
    vault = make_account(business, admin_user, "Vault", opening="250.00", when=moment(2026, 1, 1))
    enable_on(books.shop.depot, vault, method="cheque")  # restricted depot users now see the vault
    put_in(business, admin_user, vault, "20", when=moment(2026, 2, 1), from_account=books.bank)

Accounts, deposits and transfers go through accounts.services (so every row is what production writes);
movements a test needs at a fixed date are dated through `operation_date` or `backdate_movements`.
Also here: the routes, the contract's field lists, `books_footprint` (compare before/after a refused request)
and `num` (read a JSON amount exactly).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Account, AccountTransaction, AccountType
from accounts.services import account_close, account_create, deposit, fund_transfer
from core.dates import now_in
from core.models import Activity
from core.services.business import business_settings_update
from core.tests.matrix import BASE
from ledger.models import Transaction, TransactionPayment
from ledger.tests.builders import Shop, footprint, open_shop

# --- routes ----------------------------------------------------------------------------------------------------

ACCOUNTS = f"{BASE}/accounts"
DEPOSIT = f"{ACCOUNTS}/deposit"
TRANSFER = f"{ACCOUNTS}/fund-transfer"
BALANCE_SHEET = f"{ACCOUNTS}/reports/balance-sheet"
TRIAL_BALANCE = f"{ACCOUNTS}/reports/trial-balance"
CASH_FLOW = f"{ACCOUNTS}/reports/cash-flow"
PAYMENT_REPORT = f"{ACCOUNTS}/reports/payment-account-report"


def account_url(account, suffix: str = "") -> str:
    """/accounts/{id}, /accounts/{id}/close (suffix "close"), /accounts/{id}/transactions ("transactions")."""
    pk = getattr(account, "pk", account)
    return f"{ACCOUNTS}/{pk}" + (f"/{suffix}" if suffix else "")


# --- the contract's field lists, in its order ---------------------------------------------------------------------

ACCOUNT_ITEM = ["id", "name", "account_number", "note", "is_closed", "balance", "account_type", "account_details"]
ACCOUNT_DETAIL = [*ACCOUNT_ITEM, "created_by"]
ACCOUNT_LINE = [
    "id",
    "account_id",
    "type",
    "sub_type",
    "amount",
    "operation_date",
    "note",
    "transaction_id",
    "transaction_payment_id",
    "transfer_transaction_id",
    "payment_ref_no",
    "payment_method",
]
PAGE_META = ["current_page", "last_page", "per_page", "total"]
LEDGER_META = [*PAGE_META, "start_date", "end_date", "type", "q"]
SUMMARY_ACCOUNT = ["id", "name", "account_number", "balance"]  # our `accounts` extension of the summaries
BALANCE_SHEET_FIELDS = [
    "end_date",
    "supplier_due",
    "customer_due",
    "closing_stock",
    "account_balances",
    "accounts",
    "capital_account_details",
]
TRIAL_BALANCE_FIELDS = [
    "end_date",
    "supplier_due",
    "customer_due",
    "account_balances",
    "accounts",
    "capital_account_details",
    "debit_total",
    "credit_total",
]
CASH_FLOW_ROW = [
    "id",
    "account_id",
    "account_name",
    "type",
    "sub_type",
    "amount",
    "debit",
    "credit",
    "operation_date",
    "method",
    "method_label",
    "payment_ref_no",
    "transaction_no",
    "is_return",
    "is_advance",
    "payment_for_contact",
    "payment_for_type",
    "payment_for_business_name",
    "added_by",
    "total_recovered",
    "child_invoice_numbers",
    "account_balance_after",
    "combined_balance_after",
]
PAYMENT_REPORT_ROW = [
    "id",
    "paid_on",
    "amount",
    "payment_ref_no",
    "method",
    "method_label",
    "is_advance",
    "is_return",
    "transaction",
    "account",
    "contact",
]
REPORT_TRANSACTION = ["id", "type", "ref_no", "invoice_no", "location_id"]
REPORT_ACCOUNT = ["id", "name", "account_number"]
REPORT_CONTACT = ["name", "type"]
MODULE_OFF = {"message": "The account module is not enabled for this business."}
DEMO = {"message": "This action is disabled in demo mode."}
ACCOUNT_NOT_FOUND = {"message": "Account not found"}
LOCATION_NOT_FOUND = {"message": "Location not found"}


# --- dates and documents ----------------------------------------------------------------------------------------


def moment(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """An aware UTC datetime: when a document, payment or movement happened in a test."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)


def backdate(document, when: datetime.datetime) -> Transaction:
    """Move a document (a purchase, an opening balance) to `when`: its transaction_date and due_date."""
    Transaction.objects.filter(pk=document.pk).update(transaction_date=when, due_date=when)
    document.refresh_from_db()
    return document


def pay_due(business, user, contact, amount, **data) -> TransactionPayment:
    """POST /contacts/{id}/payments through ledger.services.pay_due: `pay_due(b, u, carla, "20", account=till)`."""
    from ledger.services.pay_due import pay_contact_due

    payload = {"amount": Decimal(str(amount)), "method": data.pop("method", "cash"), **data}
    return pay_contact_due(business=business, user=user, contact=contact, data=payload)


# --- accounts -----------------------------------------------------------------------------------------------------


def enable_accounts(*businesses):
    """Switch the `account` module on (every route of the issue answers 403 without it)."""
    for business in businesses:
        business_settings_update(business=business, enable_modules=["account"])
        business.refresh_from_db()


def make_account_type(business, name: str, parent: AccountType | None = None) -> AccountType:
    return AccountType.objects.create(business=business, name=name, parent=parent)


def make_account(
    business,
    user,
    name: str = "Bank",
    number: str | None = None,
    *,
    opening=None,
    when: datetime.datetime | None = None,
    account_type: AccountType | None = None,
    note: str | None = None,
    details: list[dict] | None = None,
    closed: bool = False,
) -> Account:
    """An account through accounts.services.account_create; `opening` (Decimal, int or str) seeds its
    opening_balance movement, dated `when` (default: now)."""
    data = {"name": name, "account_number": number or f"{name[:3].upper()}-001", "note": note}
    if account_type is not None:
        data["account_type"] = account_type
    if details is not None:
        data["account_details"] = details
    if opening is not None:
        data["opening_balance"] = Decimal(str(opening))
    account = account_create(business=business, user=user, data=data)
    if opening is not None and when is not None:
        AccountTransaction.objects.filter(account=account).update(operation_date=when)
    if closed:
        account = account_close(business=business, user=user, account=account)
    return account


def enable_on(location, account, *, method: str = "cash", enabled=True):
    """Make `account` the default payment account of `method` at `location` (default_payment_accounts
    {method: {is_enabled, account_id}}): users restricted to that location then see it (RULES §9)."""
    settings = dict(location.default_payment_accounts or {})
    settings[method] = {"is_enabled": 1 if enabled else 0, "account_id": account.pk}
    location.default_payment_accounts = settings
    location.save(update_fields=["default_payment_accounts"])
    return location


def put_in(business, user, account, amount, *, when, from_account=None, note=None):
    """A deposit through the service: (credit, debit or None)."""
    return deposit(
        business=business,
        user=user,
        account=account,
        amount=Decimal(str(amount)),
        operation_date=when,
        from_account=from_account,
        note=note,
    )


def move(business, user, source, target, amount, *, when, note=None):
    """A fund transfer through the service: (debit, credit)."""
    return fund_transfer(
        business=business,
        user=user,
        from_account=source,
        to_account=target,
        amount=Decimal(str(amount)),
        operation_date=when,
        note=note,
    )


def backdate_movements(payment_or_account, when: datetime.datetime):
    """Date the movement(s) of a payment (and the payment itself), or every movement of an account, at `when`."""
    if isinstance(payment_or_account, Account):
        AccountTransaction.objects.filter(account=payment_or_account).update(operation_date=when)
        return
    TransactionPayment.objects.filter(pk=payment_or_account.pk).update(paid_on=when)
    AccountTransaction.objects.filter(transaction_payment_id=payment_or_account.pk).update(operation_date=when)


def movements_of(account) -> list[tuple]:
    """(type, sub_type, amount, transaction_payment_id) of the account's movements, in ledger order."""
    return list(
        AccountTransaction.objects.filter(account=account)
        .order_by("operation_date", "id")
        .values_list("type", "sub_type", "amount", "transaction_payment_id")
    )


def balance_of(account) -> Decimal:
    return sum(
        (m.amount if m.type == "credit" else -m.amount for m in AccountTransaction.objects.filter(account=account)),
        Decimal(0),
    )


def today(business) -> datetime.date:
    return now_in(business).date()


def num(value) -> Decimal:
    """A JSON amount (read as float by response.json()) as an exact Decimal at the 4 stored places."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def assert_invalid(response, *fields) -> dict:
    """422 with the Laravel-style body {"message", "errors"}, naming every field given (a nested error such as
    `account_details.0.label` or `account_details.non_field_errors` names `account_details`)."""
    assert response.status_code == 422, (response.status_code, response.content[:500])
    data = response.json()
    assert isinstance(data["message"], str) and data["message"]
    for field in fields:
        keys = [k for k in data["errors"] if k == field or k.startswith(f"{field}.")]
        assert keys, (field, data)
        assert all(isinstance(m, str) and m for k in keys for m in data["errors"][k])
    return data


def books_footprint(business) -> dict:
    """Every row the account services and the payment services write, to compare before and after a refused
    request: accounts, their types, every movement, payments with their account links, the activity log and
    what the trading footprint holds."""
    return {
        **footprint(business),
        "accounts": list(Account.objects.filter(business=business).order_by("id").values()),
        "account_types": list(AccountType.objects.filter(business=business).order_by("id").values()),
        "movements": list(AccountTransaction.objects.filter(business=business).order_by("id").values()),
        "payment_accounts": list(
            TransactionPayment.objects.filter(business=business)
            .order_by("id")
            .values_list("id", "account_id", "account_transaction_id")
        ),
        "activities": Activity.objects.filter(business=business).count(),
    }


# --- a ready set of books ---------------------------------------------------------------------------------------


@dataclass
class Books:
    """A trading shop (`trade`, a ledger.tests.builders.Shop whose attributes read through: business, user, the shop
    and depot locations, Supply Co, Carla Customer, Widget with stock at the shop) with the account module on and
    four accounts, their openings dated 1 Jan 2026:

    - bank  "Main Bank" BNK-001, opening 1000.00, enabled for card at the shop
    - till  "Shop Till" TIL-001, opening 50.00, enabled for cash at the shop
    - safe  "Depot Safe" SAF-001, opening 300.00, enabled for cash at the depot
    - vault "Head Office Vault" VLT-001, no opening, enabled nowhere (only unrestricted users see it)
    """

    trade: Shop
    bank: Account
    till: Account
    safe: Account
    vault: Account

    def __getattr__(self, name):
        # business, user, shop, depot, supplier, customer, widget, variation, purchase: the trading shop's
        if name.startswith("__") or name == "trade":
            raise AttributeError(name)
        return getattr(self.trade, name)

    @property
    def accounts(self) -> list[Account]:
        return [self.bank, self.till, self.safe, self.vault]


NEW_YEAR = moment(2026, 1, 1, 8)


def open_books(business, user, *, stock="10") -> Books:
    enable_accounts(business)
    trade = open_shop(business, user, stock=stock)
    bank = make_account(business, user, "Main Bank", "BNK-001", opening="1000", when=NEW_YEAR)
    till = make_account(business, user, "Shop Till", "TIL-001", opening="50", when=NEW_YEAR)
    safe = make_account(business, user, "Depot Safe", "SAF-001", opening="300", when=NEW_YEAR)
    vault = make_account(business, user, "Head Office Vault", "VLT-001")
    enable_on(trade.shop, bank, method="card")
    enable_on(trade.shop, till, method="cash")
    if trade.depot is not None:
        enable_on(trade.depot, safe, method="cash")
    return Books(trade, bank, till, safe, vault)
