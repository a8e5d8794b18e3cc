from django.db import transaction

from core.management.base import OperatorCommand, business_or_fail
from core.models import ApiCredential
from core.services.credentials import credential_issue
from core.services.users import user_create


class Command(OperatorCommand):
    help = "Create a user of a business with exactly the named permissions, a Bearer token and an API key pair."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--business", type=int, required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--admin", action="store_true", help="Give the user the business-admin role.")
        parser.add_argument("--permission", action="append", default=[], metavar="NAME")
        parser.add_argument("--location", action="append", type=int, default=[], metavar="ID")
        parser.add_argument("--all-locations", action="store_true")
        parser.add_argument("--password")

    def handle(self, *args, **options):
        business = business_or_fail(options["business"])
        with transaction.atomic():
            user = user_create(
                business=business,
                username=options["username"],
                password=options["password"],
                admin=options["admin"],
                permissions=options["permission"],
                location_ids=options["location"],
                all_locations=options["all_locations"],
            )
            token = credential_issue(user=user, kind=ApiCredential.Kind.TOKEN, name="create_api_user")
            pair = credential_issue(user=user, kind=ApiCredential.Kind.KEY_PAIR, name="create_api_user")
        payload = {
            "user_id": user.pk,
            "username": user.username,
            "token": token.token,
            "api_key": pair.credential.key,
            "api_secret": pair.secret,
        }
        self.emit(
            options,
            payload,
            (
                f"Created user {user.username} (id {user.pk}) in business {business.pk}.\n"
                f"Bearer token: {token.token}\nAPI key: {pair.credential.key}\nAPI secret: {pair.secret}\n"
                "These secrets are shown once; only their hashes are stored."
            ),
        )
