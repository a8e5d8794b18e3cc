"""Payment accounts in the back office: balances, movements (read-only: a paired leg or a payment's movement
would break if edited here), and deposit / transfer actions that call the same services as the API."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts import services
from accounts.models import Account, AccountTransaction, AccountType
from core.admin_base import ActivityTrailInline, BusinessScopedAdmin, ReadOnlyAdmin, ReadOnlyTabular
from core.admin_display import money, money_field
from core.admin_filters import DateRangeFilter
from core.admin_widgets import LabelValueField
from core.exceptions import BusinessRuleViolation

ACCOUNT_PERMS = {"view": ("account.access",), "add": ("account.access",), "change": ("account.access",)}


@admin.register(AccountType)
class AccountTypeAdmin(BusinessScopedAdmin):
    module = "account"
    erp_permissions = ACCOUNT_PERMS
    list_display = ("name", "parent", "business")


class MovementInline(ReadOnlyTabular):
    model = AccountTransaction
    fk_name = "account"
    ordering = ("-operation_date", "-id")
    fields = readonly_fields = ("operation_date", "type", "sub_type", "debit", "credit", "note", "payment_ref_no")
    verbose_name_plural = "movements (read-only: change them through deposits, transfers and payments)"

    @admin.display(description="debit (out)")
    def debit(self, movement):
        return money(movement.amount, movement.business) if movement.type == "debit" else ""

    @admin.display(description="credit (in)")
    def credit(self, movement):
        return money(movement.amount, movement.business) if movement.type == "credit" else ""


class MoneyForm(forms.Form):
    amount = forms.DecimalField(max_digits=22, decimal_places=4, min_value=Decimal("0.0001"))
    operation_date = forms.DateTimeField(initial=timezone.now)
    other_account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False)
    note = forms.CharField(required=False, max_length=1000)


class AccountForm(forms.ModelForm):
    account_details = LabelValueField(
        required=False, help_text="For example BIC, branch or sort code: one label and value per row."
    )

    class Meta:
        model = Account
        fields = ("business", "name", "account_number", "account_type", "note", "account_details")


@admin.register(Account)
class AccountAdmin(BusinessScopedAdmin):
    module = "account"
    erp_permissions = ACCOUNT_PERMS
    form = AccountForm
    list_display = ("name", "account_number", "account_type", "balance_money", "is_closed")
    list_filter = ("is_closed", "account_type")
    search_fields = ("name", "account_number")
    ordering = ("is_closed", "name")
    list_select_related = ("account_type__parent", "business")
    readonly_fields = ("balance", "is_closed", "created_by", "created_at", "updated_at")
    fields = (
        "business",
        "name",
        "account_number",
        "account_type",
        "note",
        "account_details",
        "balance",
        "is_closed",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [MovementInline, ActivityTrailInline]
    actions = ["deposit_into", "transfer_from", "close_accounts"]

    def get_queryset(self, request):
        """The business's accounts the staff member may see (RULES §9: by the default payment accounts of their
        permitted locations, as in the API); superusers see every business's."""
        accounts = super().get_queryset(request)
        if not request.user.is_superuser:
            accounts = accounts.filter(pk__in=Account.objects.visible_to(request.user).values("pk"))
        return accounts.with_balance()

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if request.user.is_superuser else tuple(f for f in fields if f != "business")

    balance = balance_money = money_field("balance", "balance")

    def changelist_totals(self, request, queryset):
        business = getattr(request.user, "business", None)
        if business is None:
            return []
        total = queryset.filter(is_closed=False).order_by().aggregate(total=Sum("balance"))["total"] or 0
        return [("Balance of the open accounts listed", money(total, business))]

    def save_model(self, request, obj, form, change):
        data = {
            f: form.cleaned_data[f]
            for f in ("name", "account_number", "account_type", "note", "account_details")
            if f in form.cleaned_data
        }
        if change:
            saved = services.account_update(business=obj.business, user=request.user, account=obj, data=data)
        else:
            business = form.cleaned_data.get("business") or request.user.business
            saved = services.account_create(business=business, user=request.user, data=data)
        obj.pk, obj.business_id = saved.pk, saved.business_id
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # movements and payments point at accounts: close them instead

    def _money_action(self, request, queryset, title, run):
        account = queryset.first()
        if queryset.count() != 1:
            messages.error(request, "Choose exactly one account.")
            return None
        form = MoneyForm(request.POST if "apply" in request.POST else None)
        form.fields["other_account"].queryset = (
            self.get_queryset(request).filter(business=account.business, is_closed=False).exclude(pk=account.pk)
        )
        if "apply" in request.POST and form.is_valid():
            try:
                run(account, form.cleaned_data)
            except (ValidationError, BusinessRuleViolation) as exc:
                messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
            else:
                messages.success(request, f"{title}: done.")
                return None
        return render(
            request,
            "admin/accounts/money_action.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{title}: {account}",
                "form": form,
                "account": account,
                "action": request.POST.get("action"),
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Deposit into the selected account (optionally from another)")
    def deposit_into(self, request, queryset):
        return self._money_action(
            request,
            queryset,
            "Deposit",
            lambda account, data: services.deposit(
                business=account.business,
                user=request.user,
                account=account,
                amount=data["amount"],
                operation_date=data["operation_date"],
                from_account=data.get("other_account"),
                note=data.get("note"),
            ),
        )

    @admin.action(description="Transfer from the selected account to another")
    def transfer_from(self, request, queryset):
        def run(account, data):
            if data.get("other_account") is None:
                raise BusinessRuleViolation("Choose the account to transfer to.")
            services.fund_transfer(
                business=account.business,
                user=request.user,
                from_account=account,
                to_account=data["other_account"],
                amount=data["amount"],
                operation_date=data["operation_date"],
                note=data.get("note"),
            )

        return self._money_action(request, queryset, "Fund transfer", run)

    @admin.action(description="Close the selected accounts")
    def close_accounts(self, request, queryset):
        for account in queryset:
            try:
                services.account_close(business=account.business, user=request.user, account=account)
            except BusinessRuleViolation as exc:
                messages.error(request, f"{account}: {exc.message}")


@admin.register(AccountTransaction)
class AccountTransactionAdmin(ReadOnlyAdmin):
    module = "account"
    erp_permissions = {"view": ("account.access",)}
    list_display = ("operation_date", "account", "type", "sub_type", "amount_money", "payment_ref_no", "note")
    list_filter = ("type", "sub_type", "account", ("operation_date", DateRangeFilter))
    date_hierarchy = "operation_date"
    search_fields = ("note", "payment_ref_no")
    ordering = ("-operation_date", "-id")
    list_select_related = ("account", "business")
    amount_money = money_field("amount", "amount")

    @admin.display(description="other leg (transfer or deposit)")
    def other_leg(self, movement):
        leg = movement.transfer_transaction
        if leg is None:
            return "–"
        url = reverse("admin:accounts_accounttransaction_change", args=[leg.pk])
        return format_html(
            '<a href="{}">{} of {} on {}</a>', url, leg.get_type_display(), money(leg.amount, leg.business), leg.account
        )

    fields = readonly_fields = (
        "account",
        "type",
        "sub_type",
        "amount_money",
        "operation_date",
        "note",
        "other_leg",
        "transaction_id",
        "transaction_payment_id",
        "payment_ref_no",
        "payment_method",
        "created_by",
    )
