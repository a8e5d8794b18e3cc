from core.management.base import OperatorCommand
from core.services.idempotency import idempotency_keys_purge


class Command(OperatorCommand):
    help = "Delete the stored Idempotency-Key answers that have expired (ERP_IDEMPOTENCY_TTL_HOURS after use)."

    def handle(self, *args, **options):
        deleted = idempotency_keys_purge()
        self.emit(options, {"deleted": deleted}, f"Deleted {deleted} expired idempotency keys.")
