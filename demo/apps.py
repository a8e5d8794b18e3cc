from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`make run`'s demo business. It sits above every domain app because it fills all of them."""

    name = "demo"
