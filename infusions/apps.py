from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InfusionsConfig(AppConfig):
    name = "infusions"
    verbose_name = "Infusions and scheduling"

    def ready(self):
        from infusions.booking.defaults import ensure_default_protocols_after_migrate

        post_migrate.connect(ensure_default_protocols_after_migrate, sender=self, dispatch_uid="infusions.protocols")
