"""What stops a row from being deleted: rows of other models that point at it with on_delete=PROTECT.

Soft deletes do not trigger Django's on_delete, so services ask here first. A model that must block
the deletion of what it references (a transaction its contact, say) declares its foreign key PROTECT.
"""

from django.db import models


def protected_references(instance: models.Model) -> list[str]:
    """Verbose names of the models with rows that reference `instance` through a PROTECT foreign key."""
    blockers = []
    for relation in instance._meta.related_objects:
        if getattr(relation, "on_delete", None) is not models.PROTECT:
            continue
        related = relation.related_model
        manager = related._base_manager
        if manager.filter(**{relation.field.name: instance}).exists():
            blockers.append(str(related._meta.verbose_name_plural))
    return blockers


def protected_counts(instance: models.Model) -> list[tuple[int, str]]:
    """(count, verbose name) of each model whose rows keep `instance` from being deleted: `(12, "transactions")`."""
    counts = []
    for relation in instance._meta.related_objects:
        if getattr(relation, "on_delete", None) is not models.PROTECT:
            continue
        related = relation.related_model
        count = related._base_manager.filter(**{relation.field.name: instance}).count()
        if count:
            meta = related._meta
            counts.append((count, str(meta.verbose_name if count == 1 else meta.verbose_name_plural)))
    return counts
