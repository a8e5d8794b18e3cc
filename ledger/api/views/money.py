"""Money owed, per contact: balance, opening balance, the ledger, payments and pay due (served by the ledger
under /contacts/{id}/...)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from contacts.models import Contact
from contacts.permissions import CONTACT_READ, ContactVisible
from core.api.query import ListPageQuery, ObjectFormatQuery
from core.api.rows import RowShape
from core.api.schema import envelope, list_responses, object_envelope, object_responses, page_envelope
from core.api.views import IntegrationViewSet
from core.dates import local_iso
from core.money import format_currency
from ledger import selectors
from ledger.api import filters
from ledger.api import money_serializers as m
from ledger.api.permissions_money import PayDuePermission
from ledger.api.shapes import PAYMENT_SHAPE
from ledger.models import Transaction, TransactionPayment
from ledger.querysets import paid_subquery
from ledger.services.pay_due import pay_contact_due
from ledger.statement import CSV_FIELDS, ContactStatement

CONTACT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Contact id.")
PAY_DUE_SHAPE = RowShape(m.PayDueResult)
READ = [CONTACT_READ, ContactVisible()]


@extend_schema(tags=["Contact money"])
class ContactMoneyViewSet(IntegrationViewSet):
    queryset = Contact.objects.none()
    export_stem = "contact"
    rules = {
        "balance": READ,
        "opening_balance": READ,
        "ledger": READ,
        "payments": READ,
        "pay": [PayDuePermission(), ContactVisible()],
    }
    filterset_classes = {"payments": filters.ContactPaymentFilter}

    def get_queryset(self):
        return Contact.objects.for_business(self.business)

    @extend_schema(
        summary="Get contact balance",
        description="`due` is read off the contact's all-time ledger (RULES §5): −closing for customers and both "
        "(positive: they owe us), closing for suppliers (positive: we owe them); an unallocated advance lowers it "
        "and a negative `due` means the contact holds credit. The same number as the ledger's all_balance_due. "
        "Beyond the reference: the parts behind it.",
        parameters=[CONTACT_ID, ObjectFormatQuery],
        responses=object_responses(object_envelope("BalanceResponse", m.Balance), 403, 404),
    )
    def balance(self, request, pk):
        contact = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        parts = selectors.contact_balance(contact)
        data = {
            "contact_id": contact.pk,
            "due": parts["due"],
            "due_formatted": format_currency(parts["due"], self.business),
            **{k: v for k, v in parts.items() if k != "due"},
        }
        return self.object_response(data, query, stem=f"contact-{contact.pk}-balance")

    @extend_schema(
        summary="Get contact opening balance",
        description="The contact's single opening-balance document, or `transaction: null`. It is set through "
        "`opening_balance` on Add contact / Update contact.",
        parameters=[CONTACT_ID, ObjectFormatQuery],
        responses=object_responses(object_envelope("OpeningBalanceResponse", m.OpeningBalance), 403, 404),
    )
    def opening_balance(self, request, pk):
        contact = self.get_object()
        query = self.validated_query(ObjectFormatQuery)
        row = (
            Transaction.objects.filter(contact=contact, type=Transaction.Type.OPENING_BALANCE)
            .annotate(total_paid=paid_subquery())
            .values(
                "id",
                "ref_no",
                "final_total",
                "total_paid",
                "payment_status",
                "transaction_date",
                "location_id",
                "location__name",
            )
            .first()
        )
        document = None
        if row:
            due = row["final_total"] - row["total_paid"]
            document = {
                **{k: row[k] for k in ("id", "ref_no", "final_total", "total_paid", "payment_status", "location_id")},
                "due": due,
                "due_formatted": format_currency(due, self.business),
                "transaction_date": self._iso(row["transaction_date"]),
                "location_name": row["location__name"],
            }
        data = {"contact_id": contact.pk, "has_opening_balance": document is not None, "transaction": document}
        return self.object_response(data, query, stem=f"contact-{contact.pk}-opening-balance")

    def _iso(self, moment):
        return local_iso(moment, self.business)

    @extend_schema(
        summary="Get contact ledger",
        description="The contact's ledger for [start_date, end_date] (inclusive, business time zone), computed in "
        "SQL. Lines: documents (sells only when final; opening balances are folded into the first 'Opening "
        "Balance' line, which carries the balance brought forward, signed) and payments (pay-due parents carry "
        "their children's amount), ordered by date, documents before payments, then id. `location_id` keeps "
        "ledger discounts and contact-level payments, which have no location. `q` narrows the lines shown, not "
        "the running balance or the summary (in format_2 it narrows the open documents, not the aging). "
        "format_2 lists the open documents with what is due on each and an aging block by days past due at "
        "end_date; format_3 adds each sell's and purchase's products and the advance balance; format_4 is the "
        "partner ledger (no location, no products) with the aging block.",
        parameters=[CONTACT_ID, m.LedgerQuery],
        responses=list_responses(
            envelope("LedgerResponse", data=m.LedgerData(), meta=m.LedgerMeta()), 403, 404, 422, exports=("csv",)
        ),
    )
    def ledger(self, request, pk):
        contact = self.get_object()
        query = self.validated_query(m.LedgerQuery)
        location = query["location_id"].pk if query.get("location_id") else None
        statement = ContactStatement(
            business=self.business,
            contact=contact,
            start_date=query["start_date"],
            end_date=query["end_date"],
            location_id=location,
            q=query.get("q"),
        )
        if query["format"] == "csv":
            return self.csv_response(CSV_FIELDS, statement.csv_rows(), query, stem=f"contact-ledger-{contact.pk}")
        meta = {
            "start_date": query["start_date"],
            "end_date": query["end_date"],
            "location_id": location,
            "format": query["format"],
            "q": query.get("q"),
        }
        return Response({"data": statement.payload(query["format"]), "meta": meta})

    @extend_schema(
        summary="List contact payments",
        description="Parent payments (pay due) and single-document payments, newest first, each pay-due parent "
        "with its child splits nested. The summary covers every payment row in the date filter, children "
        "included, and is not narrowed by `q`; its total_paid counts the money once (children are part of their "
        "parent). CSV cells of child_payments hold JSON.",
        parameters=[CONTACT_ID, ListPageQuery],
        responses=list_responses(
            page_envelope(
                "ContactPaymentsResponse",
                m.PaymentRow,
                data=m.ContactPaymentsData(),
                meta_fields={
                    "start_date": m.serializers.DateField(allow_null=True),
                    "end_date": m.serializers.DateField(allow_null=True),
                    "q": m.serializers.CharField(allow_null=True),
                },
            ),
            403,
            404,
            422,
        ),
    )
    def payments(self, request, pk):
        contact = self.get_object()
        rows = selectors.contact_payments(contact)
        listed, query = self.filtered_list(selectors.listed_payments(rows))
        summary = selectors.payment_summary(self.filterset.dated(rows))
        summary["latest_paid_on"] = self._iso(summary["latest_paid_on"])
        return self.page_response(
            listed,
            PAYMENT_SHAPE,
            query,
            stem=f"contact-{contact.pk}-payments",
            wrap=lambda page: {"contact_id": contact.pk, "payments": page, "summary": summary},
            meta={"start_date": query.get("start_date"), "end_date": query.get("end_date"), "q": query.get("q")},
        )

    @extend_schema(
        summary="Pay contact due",
        description="One payment against the contact's dues (RULES §4): a parent row (no document, is_advance, "
        "payment_type credit for sell and purchase_return dues, debit for purchase and sell_return), then a child "
        "payment on each open document of the due type and the opening balance (purchase_return dues: only "
        "purchase returns), oldest first by (transaction_date, id), each of what is due on it; whatever remains "
        "is added to the contact's advance balance. `is_reverse`: a standalone row the other way, not allocated. "
        "One database transaction with the contact locked: concurrent payments never allocate a due twice. "
        "`advance` is not a method here.",
        parameters=[CONTACT_ID],
        request=m.PayDueWrite,
        responses=object_responses(
            object_envelope("PayDueResponse", m.PayDueResult, message=True), 403, 404, 422, csv=False, status=201
        ),
    )
    def pay(self, request, pk):
        contact = self.get_object()
        data = self.validated_body(m.PayDueWrite)
        parent = pay_contact_due(business=self.business, user=request.user, contact=contact, data=data)
        row = PAY_DUE_SHAPE.one(TransactionPayment.objects.filter(pk=parent.pk), self.row_context())
        return self.object_response(row, message="Payment added successfully", status=201)
