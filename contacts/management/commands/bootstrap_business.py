from django.db import transaction

from contacts.services import walk_in_customer_create
from core.management.base import OperatorCommand
from core.models import ApiCredential
from core.services.business import business_create, location_create
from core.services.credentials import credential_issue
from core.services.users import user_create


class Command(OperatorCommand):
    help = (
        "Create a business with its locations (BL0001…), the walk-in customer (CO0001), "
        "a business-admin user and a Bearer token for that user."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--name", required=True)
        parser.add_argument("--currency", default="USD", help="ISO 4217 code, default USD.")
        parser.add_argument("--modules", default="", help="Comma list of modules to enable: account,subscription.")
        parser.add_argument("--locations", type=int, default=1)
        parser.add_argument("--admin-username")
        parser.add_argument("--admin-password")

    def handle(self, *args, **options):
        from django.core.management.base import CommandError

        if options["locations"] < 1:
            raise CommandError("--locations must be at least 1.")
        modules = [m.strip() for m in options["modules"].split(",") if m.strip()]
        with transaction.atomic():
            business = business_create(name=options["name"], currency_code=options["currency"], modules=modules)
            locations = [location_create(business=business) for _ in range(options["locations"])]
            admin = user_create(
                business=business,
                username=options["admin_username"] or f"admin-{business.pk}",
                password=options["admin_password"],
                admin=True,
            )
            walk_in = walk_in_customer_create(business=business, user=admin)
            token = credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="bootstrap_business")
        payload = {
            "business_id": business.pk,
            "location_ids": [loc.pk for loc in locations],
            "walk_in_customer_id": walk_in.pk,
            "admin": {"user_id": admin.pk, "username": admin.username, "token": token.token},
        }
        self.emit(
            options,
            payload,
            (
                f"Business {business.name} (id {business.pk}) with {len(locations)} location(s).\n"
                f"Admin user: {admin.username} (id {admin.pk})\nBearer token (shown once): {token.token}"
            ),
        )
