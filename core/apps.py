from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: businesses, users and access"

    def ready(self):
        from core.api import converters, schema  # noqa: F401  schema registers the OpenAPI extensions

        converters.register()
