from django.urls import path

from accounts.api.reports import AccountReportViewSet
from accounts.api.views import AccountMoneyViewSet, AccountViewSet

accounts = AccountViewSet.as_view
money = AccountMoneyViewSet.as_view
reports = AccountReportViewSet.as_view

urlpatterns = [
    path("accounts", accounts({"get": "list", "post": "create"}), name="accounts"),
    path("accounts/deposit", money({"post": "deposit"}), name="account-deposit"),
    path("accounts/fund-transfer", money({"post": "fund_transfer"}), name="account-fund-transfer"),
    path("accounts/reports/balance-sheet", reports({"get": "balance_sheet"}), name="account-balance-sheet"),
    path("accounts/reports/trial-balance", reports({"get": "trial_balance"}), name="account-trial-balance"),
    path("accounts/reports/cash-flow", reports({"get": "cash_flow"}), name="account-cash-flow"),
    path(
        "accounts/reports/payment-account-report",
        reports({"get": "payment_account_report"}),
        name="account-payment-report",
    ),
    path("accounts/<id:pk>", accounts({"get": "retrieve", "patch": "update", "put": "update"}), name="account"),
    path("accounts/<id:pk>/close", accounts({"post": "close"}), name="account-close"),
    path("accounts/<id:pk>/transactions", accounts({"get": "transactions"}), name="account-transactions"),
]
