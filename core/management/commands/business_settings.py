from core.management.base import OperatorCommand, business_or_fail
from core.services.business import business_settings_summary, business_settings_update


class Command(OperatorCommand):
    help = "Change the business switches that API behaviour depends on, and print the resulting settings."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--business", type=int, required=True)
        parser.add_argument("--enable-module", action="append", default=[], metavar="M")
        parser.add_argument("--disable-module", action="append", default=[], metavar="M")
        parser.add_argument("--subscription", choices=["active", "expired"])
        parser.add_argument("--allow-overselling", choices=["yes", "no"])

    def handle(self, *args, **options):
        business = business_or_fail(options["business"])
        overselling = options["allow_overselling"]
        business = business_settings_update(
            business=business,
            enable_modules=options["enable_module"],
            disable_modules=options["disable_module"],
            subscription_status=options["subscription"],
            allow_overselling=None if overselling is None else overselling == "yes",
        )
        summary = business_settings_summary(business)
        self.emit(options, summary, "\n".join(f"{key}: {value}" for key, value in summary.items()))
