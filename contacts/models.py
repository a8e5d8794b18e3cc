from django.db import models
from django.db.models import Q

from contacts.querysets import ContactManager, ContactQuerySet, DocumentNoteQuerySet
from core.money import MONEY
from core.querysets import BusinessManager


class SellingPriceGroup(models.Model):
    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="selling_price_groups")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="uniq_price_group_name")]
        ordering = ["id"]

    def __str__(self):
        return self.name


class CustomerGroup(models.Model):
    class PriceCalculation(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage"
        SELLING_PRICE_GROUP = "selling_price_group", "Selling price group"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="customer_groups")
    name = models.CharField(max_length=255)
    price_calculation_type = models.CharField(
        max_length=20, choices=PriceCalculation.choices, default=PriceCalculation.PERCENTAGE
    )
    # price × (1 + amount / 100) for percentage groups; 0 for selling-price-group groups.
    amount = models.DecimalField(default=0, **MONEY)
    selling_price_group = models.ForeignKey(
        SellingPriceGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="customer_groups"
    )
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessManager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["business", "updated_at"], name="customer_group_updated_idx")]

    def __str__(self):
        return self.name


class Contact(models.Model):
    class Type(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        SUPPLIER = "supplier", "Supplier"
        BOTH = "both", "Customer & supplier"

    class ContactType(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        BUSINESS = "business", "Business"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    class PayTerm(models.TextChoices):
        DAYS = "days", "Days"
        MONTHS = "months", "Months"

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="contacts")
    type = models.CharField(max_length=10, choices=Type.choices)
    contact_type = models.CharField(max_length=12, choices=ContactType.choices, null=True, blank=True)
    # blank in a form means "generate one" (the service fills CO0001…); the column itself is never empty.
    contact_id = models.CharField(max_length=191, blank=True, verbose_name="contact code")
    name = models.CharField(max_length=255)
    prefix = models.CharField(max_length=50, null=True, blank=True)
    first_name = models.CharField(max_length=191, null=True, blank=True)
    middle_name = models.CharField(max_length=191, null=True, blank=True)
    last_name = models.CharField(max_length=191, null=True, blank=True)
    supplier_business_name = models.CharField(max_length=255, null=True, blank=True)
    email = models.CharField(max_length=191, null=True, blank=True)
    mobile = models.CharField(max_length=191, null=True, blank=True)
    landline = models.CharField(max_length=191, null=True, blank=True)
    alternate_number = models.CharField(max_length=191, null=True, blank=True)
    tax_number = models.CharField(max_length=191, null=True, blank=True)
    city = models.CharField(max_length=191, null=True, blank=True)
    state = models.CharField(max_length=191, null=True, blank=True)
    country = models.CharField(max_length=191, null=True, blank=True)
    address_line_1 = models.TextField(null=True, blank=True)
    address_line_2 = models.TextField(null=True, blank=True)
    zip_code = models.CharField(max_length=191, null=True, blank=True)
    land_mark = models.CharField(max_length=191, null=True, blank=True)
    street_name = models.CharField(max_length=191, null=True, blank=True)
    building_number = models.CharField(max_length=191, null=True, blank=True)
    additional_number = models.CharField(max_length=191, null=True, blank=True)
    shipping_address = models.TextField(null=True, blank=True)
    shipping_custom_field_details = models.JSONField(null=True, blank=True)
    position = models.CharField(max_length=191, null=True, blank=True, help_text='"latitude,longitude"')
    dob = models.DateField(null=True, blank=True)
    pay_term_number = models.PositiveIntegerField(null=True, blank=True)
    pay_term_type = models.CharField(max_length=10, choices=PayTerm.choices, null=True, blank=True)
    # null: no limit; 0: no credit at all.
    credit_limit = models.DecimalField(null=True, blank=True, **MONEY)
    # Advance balance: money held for the contact (RULES §2), not what they owe.
    balance = models.DecimalField(default=0, **MONEY)
    customer_group = models.ForeignKey(
        CustomerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    contact_status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    is_default = models.BooleanField(default=False)
    is_export = models.BooleanField(default=False)
    custom_field1 = models.TextField(null=True, blank=True)
    custom_field2 = models.TextField(null=True, blank=True)
    custom_field3 = models.TextField(null=True, blank=True)
    custom_field4 = models.TextField(null=True, blank=True)
    custom_field5 = models.TextField(null=True, blank=True)
    custom_field6 = models.TextField(null=True, blank=True)
    custom_field7 = models.TextField(null=True, blank=True)
    custom_field8 = models.TextField(null=True, blank=True)
    custom_field9 = models.TextField(null=True, blank=True)
    custom_field10 = models.TextField(null=True, blank=True)
    export_custom_field_1 = models.TextField(null=True, blank=True)
    export_custom_field_2 = models.TextField(null=True, blank=True)
    export_custom_field_3 = models.TextField(null=True, blank=True)
    export_custom_field_4 = models.TextField(null=True, blank=True)
    export_custom_field_5 = models.TextField(null=True, blank=True)
    export_custom_field_6 = models.TextField(null=True, blank=True)
    assigned_to_users = models.ManyToManyField(
        "core.User", through="UserContactAccess", related_name="shared_contacts", blank=True
    )
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Live contacts only: soft-deleted ones are invisible everywhere (RULES §2).
    objects = ContactManager()
    all_objects = models.Manager.from_queryset(ContactQuerySet)()

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "contact_id"],
                condition=Q(deleted_at__isnull=True),
                name="uniq_live_contact_code",
                violation_error_message="The contact id has already been taken.",
            ),
        ]
        indexes = [
            # Directory pages and counts scan live contacts in id order; the included columns answer the
            # kind and status filters from the index alone (PostgreSQL; other databases ignore `include`).
            models.Index(
                fields=["business", "id"],
                include=["type", "contact_status"],
                condition=Q(deleted_at__isnull=True),
                name="contact_live_idx",
            ),
            models.Index(fields=["business", "updated_at"], name="contact_updated_idx"),
            models.Index(fields=["business", "tax_number"], name="contact_tax_number_idx"),
            models.Index(fields=["business", "created_by"], name="contact_created_by_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.contact_id})"

    @property
    def sides(self) -> tuple[str, ...]:
        """The permission families this contact belongs to: customer, supplier, or both."""
        return ("customer", "supplier") if self.type == self.Type.BOTH else (self.type,)


class UserContactAccess(models.Model):
    """A contact shared with a user: `view_own` users see the contacts they created and these."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="contact_access")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="user_access")

    class Meta:
        db_table = "user_contact_access"
        verbose_name = "shared contact"
        constraints = [models.UniqueConstraint(fields=["user", "contact"], name="uniq_user_contact_access")]

    def __str__(self):
        return f"{self.contact} shared with {self.user}"


class DocumentNote(models.Model):
    """A document or note on a contact (RULES §11), with its attached files (`media`)."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="document_notes")
    heading = models.CharField(max_length=191)
    description = models.TextField(null=True, blank=True)
    is_private = models.BooleanField(default=False)
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = models.Manager.from_queryset(DocumentNoteQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = "document or note"
        verbose_name_plural = "documents and notes"
        # A contact's notes newest first: the list pages walk this index.
        indexes = [models.Index(fields=["contact", "-id"], name="document_note_contact_idx")]

    def __str__(self):
        return self.heading


class NoteMedia(models.Model):
    """One stored file of a note. `file` holds the generated storage name; `display_name` the uploaded name."""

    business = models.ForeignKey("core.Business", on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(DocumentNote, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(max_length=255)
    display_name = models.CharField(max_length=191)
    size = models.PositiveBigIntegerField()
    mime_type = models.CharField(max_length=127)
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessManager()

    class Meta:
        ordering = ["id"]
        verbose_name = "note file"
        indexes = [models.Index(fields=["note", "id"], name="note_media_note_idx")]

    def __str__(self):
        return self.display_name
