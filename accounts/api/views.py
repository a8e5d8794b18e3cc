"""Payment accounts, their ledgers, deposits and fund transfers (payment-accounts-api.txt)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound

from accounts import selectors, services
from accounts.api import filters
from accounts.api import serializers as s
from accounts.models import Account, AccountTransaction
from core.api.permissions import ModuleEnabled, NotDemoMode, Perm
from core.api.query import ListPageQuery, ObjectFormatQuery
from core.api.rows import RowShape
from core.api.schema import list_responses, object_envelope, object_responses, page_envelope
from core.api.views import IntegrationViewSet
from core.exceptions import BusinessRuleViolation

ACCESS = [ModuleEnabled("account"), Perm("account.access")]
WRITE = [NotDemoMode(), *ACCESS]
LIST_SHAPE = RowShape(s.AccountListItem)
DETAIL_SHAPE = RowShape(s.AccountDetail)
LINE_SHAPE = RowShape(s.AccountLine)
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Payment account id.")
AccountResponse = object_envelope("AccountResponse", s.AccountDetail)
AccountWriteResponse = object_envelope("AccountWriteResponse", s.AccountDetail, message=True)


class AccountsBase(IntegrationViewSet):
    queryset = Account.objects.none()
    export_stem = "payment-accounts"

    def get_queryset(self):
        return Account.objects.visible_to(self.request.user)

    def detail_row(self, account) -> dict:
        return DETAIL_SHAPE.one(Account.objects.filter(pk=account.pk).with_balance(), self.row_context())

    def line(self, movement) -> dict | None:
        if movement is None:
            return None
        return LINE_SHAPE.one(AccountTransaction.objects.filter(pk=movement.pk), self.row_context())


@extend_schema(tags=["Payment accounts"])
class AccountViewSet(AccountsBase):
    rules = {
        "list": ACCESS,
        "retrieve": ACCESS,
        "create": WRITE,
        "update": WRITE,
        "close": WRITE,
        "transactions": ACCESS,
    }
    filterset_classes = {"list": filters.AccountFilter, "transactions": filters.AccountLineFilter}

    @extend_schema(
        summary="List payment accounts",
        description="Accounts the user may see (admins and users with access_all_locations: all; others: those "
        "enabled as default payment accounts on their permitted locations), ordered by id, with their balance "
        "(Σ credit − Σ debit). `q` (or `search`) matches the name or account number; `is_closed` 0 or 1.",
        parameters=[ListPageQuery],
        responses=list_responses(page_envelope("AccountListResponse", s.AccountListItem), 403, 422),
    )
    def list(self, request):
        accounts, query = self.filtered_list(selectors.account_list(user=request.user))
        return self.page_response(accounts, LIST_SHAPE, query)

    @extend_schema(
        summary="Get payment account",
        parameters=[ID, ObjectFormatQuery],
        responses=object_responses(AccountResponse, 403, 404),
    )
    def retrieve(self, request, pk):
        account = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        return self.object_response(self.detail_row(account), query, stem=f"payment-account-{account.pk}")

    @extend_schema(
        summary="Add payment account",
        description="`opening_balance` (a number, or text in the business's number format such as `1.234,50`) "
        "creates one opening_balance movement: a credit when positive, a debit of its absolute value when negative. "
        "Detail rows with neither label nor value are dropped.",
        request=s.AccountWrite,
        responses=object_responses(
            object_envelope("AccountCreatedResponse", s.AccountDetail, message=True), 403, 422, csv=False, status=201
        ),
    )
    def create(self, request):
        data = self.validated_body(s.AccountWrite)
        account = services.account_create(business=self.business, user=request.user, data=data)
        return self.object_response(self.detail_row(account), message="Payment account added successfully", status=201)

    @extend_schema(
        summary="Update payment account",
        description="PATCH and PUT both change only the fields sent (the account's movements never change). A body "
        "with no updatable field is 422.",
        parameters=[ID],
        request=s.AccountUpdate(partial=True),
        responses=object_responses(AccountWriteResponse, 403, 404, 422, csv=False),
    )
    def update(self, request, pk):
        account = self.get_object()
        data = self.validated_body(s.AccountUpdate, partial=True)
        if not data:
            raise BusinessRuleViolation("No valid fields to update")
        account = services.account_update(business=self.business, user=request.user, account=account, data=data)
        return self.object_response(self.detail_row(account), message="Payment account updated successfully")

    @extend_schema(
        summary="Close payment account",
        description="A closed account takes no deposits, transfers or payments, and keeps counting in reports.",
        parameters=[ID],
        request=None,
        responses=object_responses(
            AccountWriteResponse, 403, 404, 422, csv=False, e422='The account is already closed: `{"message"}`.'
        ),
    )
    def close(self, request, pk):
        account = self.get_object()
        account = services.account_close(business=self.business, user=request.user, account=account)
        return self.object_response(self.detail_row(account), message="Payment account closed successfully")

    @extend_schema(
        summary="Account ledger",
        description="The account's movements in date order (operation_date, then id). With start_date and "
        "end_date (both or neither; inclusive, business time zone) `beginning_balance` is the balance before the "
        "range, and the csv starts with an opening_balance row carrying it. `q` matches the note, the sub type, "
        "the payment reference or the numeric line id.",
        parameters=[ID, s.AccountLinesPageQuery],
        responses=list_responses(
            page_envelope(
                "AccountLedgerResponse",
                s.AccountLine,
                data=s.AccountLinesData(),
                meta_fields={
                    "start_date": s.serializers.DateField(allow_null=True),
                    "end_date": s.serializers.DateField(allow_null=True),
                    "type": s.serializers.CharField(allow_null=True),
                    "q": s.serializers.CharField(allow_null=True),
                },
            ),
            403,
            404,
            422,
            exports=("csv",),
        ),
    )
    def transactions(self, request, pk):
        account = self.get_object()
        lines, query = self.filtered_list(selectors.account_lines(account=account), s.AccountLinesPageQuery)
        start, _ = self.filterset.date_bounds()
        beginning = None if start is None else selectors.balance_before(account=account, start=start)
        if query["format"] == "csv":
            rows = LINE_SHAPE.rows(lines, self.row_context(), stream=True)
            if beginning is not None:
                opening = {
                    "account_id": account.pk,
                    "type": "credit" if beginning >= 0 else "debit",
                    "sub_type": "opening_balance",
                    "amount": abs(beginning),
                    "operation_date": start.isoformat(),
                    "note": "Opening balance",
                }
                rows = _prepend(opening, rows)
            return self.export_response(
                LINE_SHAPE.names, rows, "csv", stem=f"payment-account-{account.pk}-transactions"
            )
        meta = {
            "start_date": query.get("start_date"),
            "end_date": query.get("end_date"),
            "type": query.get("type"),
            "q": query.get("q"),
        }
        return self.page_response(
            lines,
            LINE_SHAPE,
            query,
            meta=meta,
            wrap=lambda page: {"account_id": account.pk, "beginning_balance": beginning, "lines": page},
        )


def _prepend(first, rest):
    yield first
    yield from rest


@extend_schema(tags=["Payment accounts"])
class AccountMoneyViewSet(AccountsBase):
    rules = {"deposit": WRITE, "fund_transfer": WRITE}

    def account(self, account_id) -> Account:
        """A visible account, else 404 `Account not found` (the documented message)."""
        account = self.get_queryset().filter(pk=account_id).first()
        if account is None:
            raise NotFound("Account not found")
        return account

    @extend_schema(
        summary="Deposit",
        description="A credit on `account_id`; with `from_account_id`, also the paired debit there, the two legs "
        "pointing at each other, in one database transaction. Both accounts visible (404 `Account not found`), "
        "open and different; amount > 0 (a number, or text in the business's number format).",
        request=s.DepositWrite,
        responses=object_responses(
            object_envelope("DepositResponse", s.DepositData, message=True), 403, 404, 422, csv=False, status=201
        ),
    )
    def deposit(self, request):
        data = self.validated_body(s.DepositWrite)
        account = self.account(data["account_id"])
        source = self.account(data["from_account_id"]) if data.get("from_account_id") else None
        credit, debit = services.deposit(
            business=self.business,
            user=request.user,
            account=account,
            amount=data["amount"],
            operation_date=data["operation_date"],
            from_account=source,
            note=data.get("note"),
        )
        return self.object_response(
            {"credit": self.line(credit), "debit": self.line(debit)},
            message="Deposit recorded successfully",
            status=201,
        )

    @extend_schema(
        summary="Fund transfer",
        description="A debit on `from_account_id` and a credit on `to_account_id`, linked both ways, in one database "
        "transaction: the legs always sum to zero. Both accounts visible (404 `Account not found`), open and "
        "different; amount > 0.",
        request=s.TransferWrite,
        responses=object_responses(
            object_envelope("TransferResponse", s.TransferData, message=True), 403, 404, 422, csv=False, status=201
        ),
    )
    def fund_transfer(self, request):
        data = self.validated_body(s.TransferWrite)
        source, target = self.account(data["from_account_id"]), self.account(data["to_account_id"])
        debit, credit = services.fund_transfer(
            business=self.business,
            user=request.user,
            from_account=source,
            to_account=target,
            amount=data["amount"],
            operation_date=data["operation_date"],
            note=data.get("note"),
        )
        return self.object_response(
            {"debit": self.line(debit), "credit": self.line(credit)},
            message="Fund transfer recorded successfully",
            status=201,
        )
