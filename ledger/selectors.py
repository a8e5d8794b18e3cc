"""Reads of documents: who may see which, the filtered lists, and the supplier stock report."""

from django.db.models import F, Q, Sum
from django.utils import timezone

from contacts.models import Contact
from core.api.serializers import numeric_id
from core.dates import day_bounds
from inventory.models import Variation
from ledger.models import Transaction


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


def document_list(*, user, doc_type: str, query: dict, contact=None):
    """GET /sells and GET /purchases (and their contact-bound forms), newest first."""
    documents = visible_documents(user, doc_type)
    if contact is not None:
        documents = documents.filter(contact=contact)
    elif query.get("contact_id"):
        documents = documents.filter(contact_id=query["contact_id"])
    for field in ("location_id", "created_by", "status"):
        if query.get(field) is not None:
            documents = documents.filter(**{field: query[field]})
    if query.get("start_date"):
        lower, upper = day_bounds(user.business, query["start_date"], query["end_date"])
        documents = documents.filter(transaction_date__gte=lower, transaction_date__lt=upper)
    status = query.get("payment_status")
    if status == "overdue":
        documents = documents.filter(_overdue())
    elif status:
        documents = documents.filter(payment_status=status)
    if query.get("is_direct_sale") is not None:
        documents = documents.filter(is_direct_sale=query["is_direct_sale"])
    if query.get("only_shipments"):
        documents = documents.filter(shipping_charges__gt=0)
    q = query.get("q")
    if q:
        number = "invoice_no" if doc_type == "sell" else "ref_no"
        # Contacts matching the name first (a small set), so the page can walk the list index and stop early.
        named = Contact.all_objects.filter(business=user.business, name__icontains=q).values("pk")
        match = Q(**{f"{number}__icontains": q}) | Q(contact_id__in=named)
        if numeric_id(q) is not None:
            match |= Q(pk=numeric_id(q))
        documents = documents.filter(match)
    return documents.with_paid().with_return_exists().order_by("-transaction_date", "-id")


def supplier_stock(*, business, supplier, location_id=None, q=None):
    """Per variation, what this supplier's received purchase lines hold: bought, returned to the supplier,
    sold (from the FIFO mapping, so a sell line split over two purchase lines counts once), on hand and its
    value at purchase price."""
    lines = {"purchase_lines__transaction__contact": supplier, "purchase_lines__is_received": True}
    if location_id:
        lines["purchase_lines__location_id"] = location_id
    on_hand = (
        F("purchase_lines__quantity") - F("purchase_lines__quantity_sold") - F("purchase_lines__quantity_returned")
    )
    variations = Variation.objects.for_business(business).filter(**lines)
    if q:
        match = (
            Q(product__name__icontains=q)
            | Q(name__icontains=q)
            | Q(product__variation_template__icontains=q)
            | Q(sub_sku__icontains=q)
        )
        if numeric_id(q) is not None:
            match |= Q(pk=numeric_id(q))
        variations = variations.filter(match)
    return variations.annotate(
        purchase_quantity=Sum("purchase_lines__quantity"),
        total_quantity_returned=Sum("purchase_lines__quantity_returned"),
        total_quantity_sold=Sum("purchase_lines__quantity_sold"),
        current_stock=Sum(on_hand),
        stock_value=Sum(on_hand * F("purchase_lines__purchase_price")),
    ).order_by("product__name", "name", "id")
