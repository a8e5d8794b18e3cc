"""Reads of contacts that are more than a filter."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from contacts.geo import parse_position
from contacts.models import Contact, DocumentNote, NoteMedia
from core.models import Activity


def contact_directory(*, business, user, kind: str | None):
    """`GET /contacts`: the contacts of one kind (None: both sides) the user may see, oldest first. The list's
    filters narrow it (contacts.api.filters.ContactFilter)."""
    return Contact.objects.for_business(business).visible_to(user, side=kind).order_by("id")


def contact_activities(*, business, contact):
    """The activity trail of one contact, newest first."""
    return (
        Activity.objects.for_business(business)
        .filter(subject_type=ContentType.objects.get_for_model(Contact), subject_id=contact.pk)
        .order_by("-created_at", "-id")
    )


def _duplicates(business, exclude_pk, condition) -> list[str]:
    rows = Contact.objects.for_business(business).filter(condition)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return list(rows.order_by("id").values_list("name", flat=True))


def mobile_duplicates(*, business, mobile: str, exclude_pk=None) -> dict:
    """Live contacts whose mobile ends with the number (exact suffix, case-insensitive, no normalisation)."""
    names = _duplicates(business, exclude_pk, Q(mobile__iendswith=mobile))
    return {
        "is_mobile_exists": bool(names),
        "msg": f"{mobile} Already registered for {', '.join(names)}" if names else "",
        "matching_contact_names": names,
    }


def tax_number_duplicates(*, business, tax_number: str, exclude_pk=None) -> dict:
    names = _duplicates(business, exclude_pk, Q(tax_number=tax_number))
    return {
        "is_tax_number_exists": bool(names),
        "msg": f"Tax Number {tax_number} already registered for {', '.join(names)}" if names else "",
        "matching_contact_names": names,
    }


MAP_FIELDS = ("id", "name", "contact_id", "type", "supplier_business_name", "shipping_address", "position")


def contact_map_rows(*, business, user, kind: str = "all", contact_ids=None):
    """Active visible contacts whose position parses to valid coordinates, as map markers."""
    contacts = (
        Contact.objects.for_business(business)
        .visible_to(user, side=None if kind == "all" else kind)
        .filter(contact_status=Contact.Status.ACTIVE)
        .exclude(position__isnull=True)
        .exclude(position="")
    )
    if contact_ids:
        contacts = contacts.filter(pk__in=contact_ids)
    for row in contacts.order_by("id").values(*MAP_FIELDS).iterator(chunk_size=2000):
        coordinates = parse_position(row.pop("position"))
        if coordinates is not None:
            row["latitude"], row["longitude"] = coordinates
            yield row


def contact_notes(*, business, user, contact):
    """`GET /contacts/{id}/documents-and-notes`: the contact's notes the user may see (public ones and their own
    private ones), newest first."""
    return DocumentNote.objects.for_business(business).visible_to(user).filter(contact=contact).order_by("-id")


def visible_note(*, business, user, contact, note_id):
    """One note of the contact the user may see, or None: another contact's note, another business's, and
    someone else's private note do not exist."""
    return contact_notes(business=business, user=user, contact=contact).filter(pk=note_id).first()


def visible_media(*, business, user, contact, note_id, media_id):
    """One file of a visible note, or None."""
    return (
        NoteMedia.objects.for_business(business)
        .filter(pk=media_id, note_id=note_id, note__in=contact_notes(business=business, user=user, contact=contact))
        .first()
    )
