"""Reads of documents: who may see which, the filtered lists, and the supplier stock report."""

from collections import defaultdict

from django.db.models import Case, Count, F, Max, Q, Sum, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from contacts.models import Contact
from inventory.models import Variation
from ledger.contact_ledger import contact_closing, owes_us_direction
from ledger.models import Transaction, TransactionPayment
from ledger.querysets import ZERO


def visible_documents(user, *types):
    """Documents of these types the user may see: permitted locations always (RULES §1); sells only their own
    with `view_own_sell_only`, purchases only their own without `purchase.view` (`view_own_purchase`)."""
    documents = (
        Transaction.objects.for_business(user.business).of_type(*types).in_locations(user.permitted_location_ids())
    )
    if user.is_business_admin:
        return documents
    own = Q(created_by=user)
    if ("sell" in types or "sell_return" in types) and user.has_erp_perm("view_own_sell_only"):
        documents = documents.filter(own | ~Q(type__in=("sell", "sell_return")))
    if ("purchase" in types or "purchase_return" in types) and not user.has_erp_perm("purchase.view"):
        documents = documents.filter(own | ~Q(type__in=("purchase", "purchase_return")))
    return documents


def _overdue():
    return Q(
        payment_status__in=("due", "partial"),
        pay_term_number__gt=0,
        pay_term_type__isnull=False,
        due_date__lt=timezone.now(),
    )


def listed_documents(documents):
    """A document list's rows (GET /sells, /purchases and their contact-bound forms), once its FilterSet
    (ledger.api.filters) has narrowed the visible documents: what was paid, whether a return exists, newest first."""
    return documents.with_paid().with_return_exists().order_by("-transaction_date", "-id")


def supplier_variations(*, business, supplier):
    """The variations the supplier stock report lists: those of the supplier's received purchase lines, joined
    once (the report's FilterSet narrows the rows of that join, the sums add them up)."""
    return Variation.objects.for_business(business).filter(
        purchase_lines__transaction__contact=supplier, purchase_lines__is_received=True
    )


def supplier_stock(variations):
    """Per variation (supplier_variations, narrowed), what the supplier's lines hold: bought, returned to the
    supplier, sold (from the FIFO mapping, so a sell line split over two purchase lines counts once), on hand and
    its value at purchase price."""
    on_hand = (
        F("purchase_lines__quantity") - F("purchase_lines__quantity_sold") - F("purchase_lines__quantity_returned")
    )
    return variations.annotate(
        purchase_quantity=Sum("purchase_lines__quantity"),
        total_quantity_returned=Sum("purchase_lines__quantity_returned"),
        total_quantity_sold=Sum("purchase_lines__quantity_sold"),
        current_stock=Sum(on_hand),
        stock_value=Sum(on_hand * F("purchase_lines__purchase_price")),
    ).order_by("product__name", "name", "id")


def variation_display_name(product_name, variation_name):
    """A single product's one variation (DUMMY) is shown with the product's name."""
    return product_name if variation_name == Variation.SINGLE_NAME else variation_name


def document_lines(model, price_field: str, ids, extra=()) -> dict[int, list[dict]]:
    """The lines of a batch of documents (SellLine or PurchaseLine), grouped by document, in one query."""
    out = defaultdict(list)
    rows = (
        model.objects.filter(transaction_id__in=ids)
        .annotate(line_total=F("quantity") * F(price_field))
        .order_by("id")
        .values(
            "id",
            "transaction_id",
            "variation_id",
            "product__name",
            "variation__name",
            "variation__sub_sku",
            "quantity",
            "quantity_returned",
            price_field,
            "line_total",
            *extra,
        )
    )
    for row in rows:
        out[row.pop("transaction_id")].append(
            {
                "id": row["id"],
                "variation_id": row["variation_id"],
                "product_name": row["product__name"],
                "variation_name": variation_display_name(row["product__name"], row["variation__name"]),
                "sub_sku": row["variation__sub_sku"],
                "quantity": row["quantity"],
                "quantity_returned": row["quantity_returned"],
                **{f: row[f] for f in extra},
                price_field: row[price_field],
                "line_total": row["line_total"],
            }
        )
    return out


# --- money owed ---------------------------------------------------------------------------------------------------


def contact_balance(contact) -> dict:
    """GET /contacts/{id}/balance: `due` from the ledger engine's all-time closing, and the parts behind it (what
    is still due on each kind of document, ledger discounts, the advance balance)."""
    closing = contact_closing(contact)
    due = -closing if owes_us_direction(contact) == 1 else closing
    open_due = Greatest(F("final_total") - F("total_paid"), ZERO)
    documents = Transaction.objects.filter(contact=contact).counting_toward_dues().with_paid_joined()
    parts = documents.aggregate(
        **{
            f"{kind}_due": Coalesce(Sum(Case(When(type=kind, then=open_due), default=ZERO)), ZERO)
            for kind in ("sell", "purchase", "opening_balance", "sell_return", "purchase_return")
        },
        ledger_discount=Coalesce(Sum(Case(When(type="ledger_discount", then=F("final_total")), default=ZERO)), ZERO),
    )
    contact.refresh_from_db(fields=["balance"])
    return {"due": due, **parts, "advance_balance": contact.balance}


def contact_payments(contact):
    """Every payment row of the contact, children included (the summary reads them)."""
    return TransactionPayment.objects.filter(payment_for=contact)


def listed_payments(rows):
    """The rows the Payments tab lists: parents and single-document payments (children are nested under their
    parent), newest first."""
    return rows.filter(parent__isnull=True).order_by("-paid_on", "-id")


def payment_summary(rows) -> dict:
    """Over every payment row in the date filter (children included, not narrowed by q): how many rows, the money
    counted once (children are part of their parent), how many methods, the latest payment."""
    return rows.aggregate(
        count=Count("id"),
        total_paid=Coalesce(Sum("amount", filter=Q(parent__isnull=True)), ZERO),
        methods_count=Count("method", distinct=True),
        latest_paid_on=Max("paid_on"),
    )


def ledger_discounts(*, business, user, contact=None):
    """Ledger discounts of the contacts the user may see (of one contact when given), newest first; the list's
    FilterSet (ledger.api.filters) narrows them."""
    discounts = Transaction.objects.for_business(business).filter(
        type="ledger_discount", contact__in=Contact.objects.for_business(business).visible_to(user)
    )
    if contact is not None:
        discounts = discounts.filter(contact=contact)
    return discounts.order_by("-transaction_date", "-id")
