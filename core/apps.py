from django.apps import AppConfig
from django.db.backends.signals import connection_created

from core.sql import register_sqlite_functions


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: businesses, users and access"

    def ready(self):
        from core import lookups  # noqa: F401  registers field__any
        from core.api import converters, schema  # noqa: F401  schema registers the OpenAPI extensions

        converters.register()
        connection_created.connect(register_sqlite_functions, dispatch_uid="core.sqlite_functions")
