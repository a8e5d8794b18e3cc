"""Every write to contacts and customer groups: atomic, validated, locked, logged."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.models import Contact, CustomerGroup, DocumentNote, NoteMedia, UserContactAccess
from core.deletion import protected_references
from core.exceptions import BusinessRuleViolation
from core.files import clean_display_name, delete_on_commit, files_atomic, save_file, sniff_mime, storage_name
from core.models import User
from core.services.activity import changed, log_activity, log_created, log_deleted, logged_update, present, snapshot
from core.services.counters import next_count, next_counts, padded
from core.uploads import RefusedUpload

NAME_PARTS = ("prefix", "first_name", "middle_name", "last_name")
EXPORT_FIELDS = tuple(f"export_custom_field_{i}" for i in range(1, 7))
EDITABLE_FIELDS = (
    "type",
    "contact_type",
    "contact_id",
    "name",
    *NAME_PARTS,
    "supplier_business_name",
    "email",
    "mobile",
    "landline",
    "alternate_number",
    "tax_number",
    "city",
    "state",
    "country",
    "address_line_1",
    "address_line_2",
    "zip_code",
    "land_mark",
    "street_name",
    "building_number",
    "additional_number",
    "shipping_address",
    "shipping_custom_field_details",
    "position",
    "dob",
    "pay_term_number",
    "pay_term_type",
    "credit_limit",
    "customer_group",
    "contact_status",
    "is_export",
    *EXPORT_FIELDS,
    *(f"custom_field{i}" for i in range(1, 11)),
)
LOGGED_FIELDS = (*EDITABLE_FIELDS, "balance", "is_default")
CODE_TAKEN = "The contact id has already been taken."
LOOKUP_BATCH = 5000  # values per IN (...) look-up: well inside the parameter limits of PostgreSQL and SQLite


def display_name(prefix=None, first_name=None, middle_name=None, last_name=None) -> str:
    """Name parts joined with single spaces, empty parts skipped (RULES §2)."""
    return " ".join(part.strip() for part in (prefix, first_name, middle_name, last_name) if part and part.strip())


def _code_taken(business, code: str, exclude_pk=None) -> bool:
    rows = Contact.objects.for_business(business).filter(contact_id=code)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.exists()


def codes_taken(business, codes) -> set[str]:
    """Which of `codes` live contacts of the business already hold (looked up in batches)."""
    codes, taken = list(codes), set()
    for start in range(0, len(codes), LOOKUP_BATCH):
        batch = codes[start : start + LOOKUP_BATCH]
        taken.update(
            Contact.objects.for_business(business).filter(contact_id__any=batch).values_list("contact_id", flat=True)
        )
    return taken


def generated_codes(business, counts: list[int], reserved=frozenset()) -> list[str]:
    """`CO` + each contact count; a code someone already typed by hand (or in `reserved`) is skipped, not reused,
    and replaced by a further count."""
    codes: list[str] = []
    while counts:
        candidates = [f"CO{padded(count)}" for count in counts]
        taken = codes_taken(business, candidates) | (reserved & set(candidates))
        codes += [code for code in candidates if code not in taken]
        counts = next_counts(business, "contact", len(taken)) if taken else []
    return codes


def _normalise(data: dict, current: Contact | None = None) -> dict:
    data = dict(data)
    if any(part in data for part in NAME_PARTS):
        parts = {p: data.get(p, getattr(current, p, None)) for p in NAME_PARTS}
        joined = display_name(**parts)
        if joined:
            data["name"] = joined
    is_export = data.get("is_export", current.is_export if current else False)
    if not is_export:
        for field in EXPORT_FIELDS:
            data.pop(field, None)
    return data


def _save_checked(contact: Contact):
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as exc:
        # The partial unique index decides a race between two requests for one code.
        raise ValidationError({"contact_id": [CODE_TAKEN]}) from exc


def _set_access(contact: Contact, users: list[User]):
    UserContactAccess.objects.filter(contact=contact).exclude(user__in=users).delete()
    existing = set(UserContactAccess.objects.filter(contact=contact).values_list("user_id", flat=True))
    UserContactAccess.objects.bulk_create(
        [UserContactAccess(contact=contact, user=u) for u in users if u.pk not in existing]
    )


def contact_fields(*, business, user, data: dict) -> dict:
    """The keyword arguments of a new contact of validated data, as every create makes it (name from its parts,
    export fields only with is_export); `contact_id` stays as sent, "" meaning "generate one". The import writes
    these without an instance (core.bulk.bulk_insert_values)."""
    data = _normalise(data)
    code = (data.pop("contact_id", None) or "").strip()
    return {"business": business, "created_by": user, "contact_id": code, **data}


def contact_build(*, business, user, data: dict) -> Contact:
    """The unsaved contact of contact_fields."""
    return Contact(**contact_fields(business=business, user=user, data=data))


def contact_create(*, business, user, data: dict, description: str = "added") -> Contact:
    data = dict(data)
    assigned = data.pop("assigned_to_users", None)
    with transaction.atomic():
        count = next_count(business, "contact")
        contact = contact_build(business=business, user=user, data=data)
        if not contact.contact_id:
            contact.contact_id = generated_codes(business, [count])[0]
        elif _code_taken(business, contact.contact_id):
            raise ValidationError({"contact_id": [CODE_TAKEN]})
        contact.full_clean(validate_constraints=False)
        _save_checked(contact)
        if assigned:
            _set_access(contact, assigned)
        log_created(business=business, user=user, instance=contact, fields=LOGGED_FIELDS, description=description)
    return contact


def contact_update(*, business, user, contact: Contact, data: dict) -> Contact:
    with transaction.atomic():
        contact = Contact.objects.for_business(business).select_for_update().get(pk=contact.pk)
        data = _normalise(data, current=contact)
        assigned = data.pop("assigned_to_users", None)
        with logged_update(business=business, user=user, instance=contact, fields=LOGGED_FIELDS):
            if "contact_id" in data:
                code = (data.pop("contact_id") or "").strip()
                if not code:
                    code = generated_codes(business, [next_count(business, "contact")])[0]
                elif _code_taken(business, code, exclude_pk=contact.pk):
                    raise ValidationError({"contact_id": [CODE_TAKEN]})
                contact.contact_id = code
            old_type = contact.type
            for field, value in data.items():
                setattr(contact, field, value)
            contact.full_clean(validate_constraints=False)
            _save_checked(contact)
            if contact.type != old_type:
                # the type decides on which side the contact's rows count in the balance reports: their snapshots
                # are stale back to the first row (accounts is the money side every app posts to)
                from accounts.balance_marks import contact_reclassified

                contact_reclassified(business.pk, contact.pk)
            if assigned is not None:
                _set_access(contact, assigned)
    return contact


def contact_delete(*, business, user, contact: Contact) -> int:
    """Soft-delete (RULES §2): refused for the default contact and for a contact any document points at."""
    with transaction.atomic():
        contact = Contact.objects.for_business(business).select_for_update().get(pk=contact.pk)
        if contact.is_default:
            raise BusinessRuleViolation("The default contact (walk-in customer) cannot be deleted.")
        blockers = protected_references(contact)
        if blockers:
            raise BusinessRuleViolation(f"The contact cannot be deleted because it has {', '.join(blockers)}.")
        log_deleted(business=business, user=user, instance=contact, fields=LOGGED_FIELDS, description="contact_deleted")
        User.objects.filter(crm_contact=contact).update(is_active=False)
        contact.deleted_at = timezone.now()
        contact.save(update_fields=["deleted_at", "updated_at"])
    return contact.pk


def walk_in_customer_create(*, business, user=None) -> Contact:
    return contact_create(
        business=business,
        user=user,
        data={"type": Contact.Type.CUSTOMER, "name": "Walk-In Customer", "credit_limit": 0, "is_default": True},
    )


# --- customer groups -------------------------------------------------------------------------

GROUP_FIELDS = ("name", "price_calculation_type", "amount", "selling_price_group")


def _apply_group_rules(group: CustomerGroup):
    if group.price_calculation_type == CustomerGroup.PriceCalculation.SELLING_PRICE_GROUP:
        if group.selling_price_group_id is None:
            raise ValidationError(
                {
                    "selling_price_group_id": [
                        "The selling price group id field is required when price calculation type is "
                        "selling_price_group."
                    ]
                }
            )
        group.amount = 0
    else:
        group.selling_price_group = None


def customer_group_create(*, business, user, data: dict) -> CustomerGroup:
    group = CustomerGroup(business=business, created_by=user, **data)
    if group.amount is None:
        group.amount = 0
    _apply_group_rules(group)
    with transaction.atomic():
        group.full_clean()
        group.save()
        log_created(business=business, user=user, instance=group, fields=GROUP_FIELDS)
    return group


def customer_group_update(*, business, user, group: CustomerGroup, data: dict) -> CustomerGroup:
    with transaction.atomic():
        group = CustomerGroup.objects.for_business(business).select_for_update().get(pk=group.pk)
        with logged_update(business=business, user=user, instance=group, fields=GROUP_FIELDS):
            for field, value in data.items():
                setattr(group, field, 0 if field == "amount" and value is None else value)
            _apply_group_rules(group)
            group.full_clean()
            group.save()
    return group


def customer_group_delete(*, business, user, group: CustomerGroup) -> int:
    """Contacts in the group stay, without a group."""
    with transaction.atomic():
        pk = group.pk
        # The database would null the link itself, but then the contacts' updated_at would not move and
        # `updated_since` syncs would miss them.
        Contact.all_objects.filter(customer_group=group).update(customer_group=None, updated_at=timezone.now())
        log_deleted(business=business, user=user, instance=group, fields=GROUP_FIELDS)
        group.delete()
    return pk


# --- documents and notes (RULES §11) -----------------------------------------------------------

NOTE_FIELDS = ("heading", "description", "is_private")
NOTE_FOLDER = "contact-notes"


def check_note_files(files) -> None:
    """At most ERP_NOTE_MAX_FILES files, each non-empty and at most ERP_NOTE_MAX_FILE_SIZE bytes; every problem
    is reported (`files`, `files.N`) and nothing is written."""
    limit, max_files = settings.ERP_NOTE_MAX_FILE_SIZE, settings.ERP_NOTE_MAX_FILES
    errors = {}
    if len(files) > max_files:
        errors["files"] = [f"At most {max_files} files may be attached in one request ({len(files)} were sent)."]
    for index, upload in enumerate(files[:max_files]):
        if isinstance(upload, RefusedUpload) or upload.size > limit:
            errors[f"files.{index}"] = [f"The file may not be greater than {limit:,} bytes ({upload.size:,} sent)."]
        elif not upload.size:
            errors[f"files.{index}"] = ["The file is empty."]
    if errors:
        raise ValidationError(errors)


def _note_snapshot(note: DocumentNote) -> dict:
    """What the contact's activity trail records of a note: a private note only by id, since its heading and
    text exist for its creator alone."""
    if note.is_private:
        return {"id": note.pk, "is_private": True}
    return {"id": note.pk, **snapshot(note, NOTE_FIELDS)}


def _log_note(*, business, user, note, description, event, old=None, new=None, files=None):
    extra = {"document_note_id": note.pk}
    if files is not None:
        extra["files"] = files if not note.is_private else len(files)
    log_activity(
        business=business,
        subject=note.contact,
        causer=user,
        description=description,
        event=event,
        old=old,
        new=new,
        extra=extra,
    )


def _attach(*, business, user, note: DocumentNote, files) -> list[NoteMedia]:
    """Store each file under a generated name and record it; inside the caller's files_atomic()."""
    media = []
    for upload in files:
        name = clean_display_name(upload.name)
        upload.content_type = sniff_mime(upload)  # what the storage (S3) records, not what the client said
        stored = save_file(default_storage, storage_name(NOTE_FOLDER, business.pk, note.pk, display=name), upload)
        media.append(
            NoteMedia(
                business=business,
                note=note,
                file=stored,
                display_name=name,
                size=upload.size,
                mime_type=upload.content_type,
                created_by=user,
            )
        )
    return NoteMedia.objects.bulk_create(media)


def note_create(*, business, user, contact: Contact, data: dict, files=()) -> DocumentNote:
    files = list(files)
    check_note_files(files)
    with files_atomic():
        note = DocumentNote(business=business, contact=contact, created_by=user, **data)
        note.full_clean()
        note.save()
        media = _attach(business=business, user=user, note=note, files=files)
        _log_note(
            business=business,
            user=user,
            note=note,
            description="document_note_added",
            event="created",
            new=present(_note_snapshot(note)),
            files=[m.display_name for m in media],
        )
    return note


def note_update(*, business, user, note: DocumentNote, data: dict, files=()) -> DocumentNote:
    """Changes the fields sent and appends the files sent (existing files stay)."""
    files = list(files)
    check_note_files(files)
    with files_atomic():
        note = DocumentNote.objects.for_business(business).select_for_update().select_related("contact").get(pk=note.pk)
        was_private, before = note.is_private, _note_snapshot(note)
        for field_name, value in data.items():
            setattr(note, field_name, value)
        note.full_clean()
        note.save()
        media = _attach(business=business, user=user, note=note, files=files)
        old, new = changed(before, _note_snapshot(note))
        if was_private or note.is_private:
            old, new = {"is_private": was_private}, {"is_private": note.is_private}
        _log_note(
            business=business,
            user=user,
            note=note,
            description="document_note_edited",
            event="updated",
            old=old,
            new=new,
            files=[m.display_name for m in media],
        )
    return note


def note_delete(*, business, user, note: DocumentNote) -> int:
    """Deletes the note and its media rows; the stored files go once the deletion commits."""
    with transaction.atomic():
        note = DocumentNote.objects.for_business(business).select_for_update().select_related("contact").get(pk=note.pk)
        pk, names = note.pk, list(note.media.values_list("file", flat=True))
        _log_note(
            business=business,
            user=user,
            note=note,
            description="document_note_deleted",
            event="deleted",
            old=_note_snapshot(note),
        )
        note.delete()
        delete_on_commit(default_storage, names)
    return pk


def note_media_delete(*, business, user, media: NoteMedia) -> int:
    """Removes one attachment; its stored file goes once the deletion commits."""
    with transaction.atomic():
        note = (
            DocumentNote.objects.for_business(business)
            .select_for_update()
            .select_related("contact")
            .get(pk=media.note_id)
        )
        media = NoteMedia.objects.for_business(business).get(pk=media.pk, note=note)
        pk, name = media.pk, media.file.name
        media.delete()
        note.save(update_fields=["updated_at"])
        _log_note(
            business=business,
            user=user,
            note=note,
            description="document_note_file_deleted",
            event="updated",
            files=[media.display_name],
        )
        delete_on_commit(default_storage, [name])
    return pk
