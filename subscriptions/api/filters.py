"""The subscription lists' filters (core.api.filtering): they narrow the subscriptions the user may see
(subscriptions.selectors.subscription_list, the wall)."""

from django.db.models import Q

from contacts.models import Contact
from core.api.filtering import DateRangeFilterSet, IdFilter, SearchFilterSet, matching
from core.models import BusinessLocation


class ContactSubscriptionFilter(SearchFilterSet, DateRangeFilterSet):
    """`GET /contacts/{id}/subscriptions`: the date range bounds the parent's date; `q` matches the invoice number,
    the subscription number, the location name or the numeric id."""

    date_field = "transaction_date"
    location_id = IdFilter(help_text="Only this location (one of the user's permitted locations).")

    class Meta(DateRangeFilterSet.Meta):
        pass

    def search(self, queryset, name, value):
        return queryset.filter(self.text_match(value))

    def text_match(self, value) -> Q:
        locations = BusinessLocation.objects.filter(business=self.business, name__icontains=value)
        return matching(value, "invoice_no", "subscription_no") | Q(location_id__in=locations.values("pk"))


class SubscriptionFilter(ContactSubscriptionFilter):
    """`GET /subscriptions`: also `contact_id`, and `q` also matches the customer's name."""

    contact_id = IdFilter(help_text="Only this customer's subscriptions.")

    def text_match(self, value) -> Q:
        contacts = Contact.all_objects.filter(business=self.business, name__icontains=value)
        return super().text_match(value) | Q(contact_id__in=contacts.values("pk"))
