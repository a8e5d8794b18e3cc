"""The four account reports: balance sheet, trial balance, cash flow, payment account report."""

import datetime

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.api import filters
from accounts.api import serializers as s
from accounts.api.views import ACCESS
from accounts.models import Account
from accounts.reports import cash_flow
from accounts.reports.payment_report import payment_account_rows
from accounts.reports.summaries import balance_sheet, trial_balance
from core.api.export import csv_cell
from core.api.query import ListPageQuery
from core.api.rows import RowShape
from core.api.schema import list_responses, object_envelope, object_responses, page_envelope
from core.api.views import IntegrationViewSet
from core.dates import day_bounds, local_iso, now_in
from core.models import BusinessLocation
from core.money import db_decimal
from core.payment_methods import method_label

REPORT_SHAPE = RowShape(s.PaymentReportRow)
CASH_FLOW_COLUMNS = list(s.CashFlowRow._declared_fields)
SNAPSHOT_META = {
    "as_of_snapshot": s.serializers.DateField(
        allow_null=True,
        help_text="Diagnostic: the month-end balance snapshot the figures were read through (null: computed from "
        "the beginning). The figures are the same either way.",
    )
}
LOCATION_ERRORS = {
    "e403": "The user lacks account.access or the location is not one of theirs.",
    "e404": 'The location does not exist in the business: `{"message": "Location not found"}`.',
}


def _flatten(data: dict):
    """A summary report as section / field / value rows."""
    for field, value in data.items():
        if field == "account_balances":
            for name, balance in value.items():
                yield ["account_balances", name, balance]
        elif field == "accounts":
            for row in value:
                yield ["accounts", f"{row['id']}: {row['name']} ({row['account_number']})", row["balance"]]
        else:
            yield ["summary", field, value]


@extend_schema(tags=["Account reports"])
class AccountReportViewSet(IntegrationViewSet):
    export_stem = "account-report"
    rules = {"balance_sheet": ACCESS, "trial_balance": ACCESS, "cash_flow": ACCESS, "payment_account_report": ACCESS}
    filterset_classes = {"payment_account_report": filters.PaymentReportFilter}

    def row_context(self):
        return {**super().row_context(), "method_label": lambda method: method_label(method, self.business)}

    def report_location(self, location_id):
        """A location filter must name a location of the business (404) the user is permitted on (403)."""
        if location_id is None:
            return None
        if not BusinessLocation.objects.for_business(self.business).filter(pk=location_id).exists():
            raise NotFound("Location not found")
        permitted = self.request.user.permitted_location_ids()
        if permitted is not None and location_id not in permitted:
            raise PermissionDenied()
        return location_id

    def _summary(self, build, stem):
        query = self.validated_query(s.SummaryQuery)
        location = self.report_location(query.get("location_id"))
        end_date = query.get("end_date") or now_in(self.business).date()
        _, before = day_bounds(self.business, end_date, end_date)
        data, figures = build(user=self.request.user, end_date=end_date, before=before, location_id=location)
        if query["format"] == "csv":
            rows = ([section, csv_cell(field), csv_cell(value)] for section, field, value in _flatten(data))
            return self.csv_response(["section", "field", "value"], rows, query, stem=stem)
        as_of = figures.as_of.isoformat() if figures.as_of else None
        return Response({"data": data, "meta": {"as_of_snapshot": as_of}})

    @extend_schema(
        summary="Balance sheet",
        description="As of the end of end_date (default today, business time zone). Customer and supplier dues come "
        "from the same ledger engine as every contact's balance (so they include opening balances, returns, "
        "ledger discounts and advances; with location_id, documents of that location plus ledger discounts and "
        "contact-level payments, as in the contact ledger); closing stock is Σ over received purchase lines dated "
        "up to end_date of what is still on hand × unit cost (quantities sold as they stand now). Account balances "
        "cover every visible account, closed ones included; `accounts` repeats them with ids.",
        parameters=[s.SummaryQuery],
        responses={
            **object_responses(
                object_envelope("BalanceSheetResponse", s.BalanceSheet, meta_fields=SNAPSHOT_META),
                403,
                404,
                422,
                **LOCATION_ERRORS,
            )
        },
    )
    def balance_sheet(self, request):
        return self._summary(balance_sheet, "balance-sheet")

    @extend_schema(
        summary="Trial balance",
        description="The balance sheet's dues and account balances (same engine, same date) without closing "
        "stock, with debit_total = customer_due + account balances and credit_total = supplier_due. Customer due "
        "includes sell returns here too: one engine, one number.",
        parameters=[s.SummaryQuery],
        responses=object_responses(
            object_envelope("TrialBalanceResponse", s.TrialBalance, meta_fields=SNAPSHOT_META),
            403,
            404,
            422,
            **LOCATION_ERRORS,
        ),
    )
    def trial_balance(self, request):
        return self._summary(trial_balance, "trial-balance")

    @extend_schema(
        summary="Cash flow",
        description="Account movements of the visible accounts (or `account_id`), ascending by operation_date then "
        "id. account_balance_after is that account's balance after the movement over all its history; "
        "combined_balance_after the selected accounts' combined balance — both computed before the date, type, "
        "location and text filters narrow the rows shown. The date range applies only when both dates are sent. "
        "location_id keeps movements of payments on that location's documents.",
        parameters=[s.CashFlowQuery],
        responses=list_responses(
            page_envelope(
                "CashFlowResponse", s.CashFlowRow, meta_fields={"q": s.serializers.CharField(allow_null=True)}
            ),
            403,
            404,
            422,
            **LOCATION_ERRORS,
        ),
    )
    def cash_flow(self, request):
        query = self.validated_query(s.CashFlowQuery)
        location = self.report_location(query.get("location_id"))
        accounts = Account.objects.visible_to(request.user)
        if query.get("account_id"):
            accounts = accounts.filter(pk=query["account_id"])
        filters = {"type": query.get("type"), "location_id": location, "q": query.get("q")}
        if query.get("start_date") and query.get("end_date"):
            filters["start"], filters["end"] = day_bounds(self.business, query["start_date"], query["end_date"])
        if query.get("only_payment_recovered"):
            today = now_in(self.business).date()
            filters["today"] = day_bounds(self.business, today, today)
        report = cash_flow.CashFlow(
            business=self.business, account_ids=accounts.values_list("pk", flat=True), filters=filters
        )
        if query["format"] != "json":
            rows = (row for batch in report.stream() for row in self._cash_rows(batch))
            return self.export_response(CASH_FLOW_COLUMNS, rows, query["format"], stem="cash-flow")
        total = report.count()
        page, per_page = query["page"], query["per_page"]
        offset = (page - 1) * per_page
        data = self._cash_rows(report.page(offset=offset, limit=per_page)) if offset < total else []
        meta = {
            "current_page": page,
            "last_page": max(1, -(-total // per_page)),
            "per_page": per_page,
            "total": total,
            "q": query.get("q"),
        }
        return Response({"data": data, "meta": meta})

    def _cash_rows(self, batch: list[dict]) -> list[dict]:
        recovered = cash_flow.recovered([r["payment_id"] for r in batch if r["payment_id"]])
        zone = datetime.UTC
        out = []
        for r in batch:
            amount = db_decimal(r["amount"])
            when = r["operation_date"]
            if isinstance(when, str):
                when = datetime.datetime.fromisoformat(when)
            if when.tzinfo is None:
                when = when.replace(tzinfo=zone)
            custom = r["method"] and r["method"].startswith("custom_pay_")
            total, numbers = recovered.get(r["payment_id"], (None, None))
            if r["payment_id"] and total is None and r["transaction_id"]:
                total = amount
            names = " ".join(p for p in (r["first_name"], r["last_name"]) if p) or r["username"]
            out.append(
                {
                    "id": r["id"],
                    "account_id": r["account_id"],
                    "account_name": r["account_name"],
                    "type": r["type"],
                    "sub_type": r["sub_type"],
                    "amount": amount,
                    "debit": amount if r["type"] == "debit" else None,
                    "credit": amount if r["type"] == "credit" else None,
                    "operation_date": local_iso(when, self.business),
                    "method": r["method"],
                    "method_label": method_label(r["method"], self.business) if r["method"] else None,
                    "payment_ref_no": r["payment_ref_no"],
                    "transaction_no": r[f"transaction_no_{r['method'].rsplit('_', 1)[1]}"] if custom else None,
                    "is_return": int(bool(r["is_return"])),
                    "is_advance": int(bool(r["is_advance"])),
                    "payment_for_contact": r["contact_name"],
                    "payment_for_type": r["contact_type"],
                    "payment_for_business_name": r["supplier_business_name"],
                    "added_by": names,
                    "total_recovered": total,
                    "child_invoice_numbers": numbers or None,
                    "account_balance_after": db_decimal(r["account_balance_after"]),
                    "combined_balance_after": db_decimal(r["combined_balance_after"]),
                }
            )
        return out

    @extend_schema(
        summary="Payment account report",
        description="Payments that moved money: pay-due payments and single-document payments (not their "
        "allocations, not those paid from an advance), newest first, with their document, account and contact. "
        "`account_id=none` keeps payments without an account. Users restricted to some locations see payments of "
        "documents at those locations (pay-due payments, which have no document, only for unrestricted users).",
        parameters=[ListPageQuery],
        responses=list_responses(
            page_envelope(
                "PaymentAccountReportResponse",
                s.PaymentReportRow,
                meta_fields={"q": s.serializers.CharField(allow_null=True)},
            ),
            403,
            422,
        ),
    )
    def payment_account_report(self, request):
        rows, query = self.filtered_list(payment_account_rows(user=request.user))
        account_id = query["account_id"]
        if (
            account_id not in (None, "none")
            and not Account.objects.visible_to(request.user).filter(pk=account_id).exists()
        ):
            raise ValidationError({"account_id": ["The selected account id is invalid."]})
        q = self.filterset.text
        return self.page_response(rows, REPORT_SHAPE, query, meta={"q": q}, stem="payment-account-report")
