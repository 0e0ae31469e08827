from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_delete


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from django.contrib.auth import get_user_model

        from clinic.roles import sync_role_permissions
        from clinic.users import refuse_deleting_users_who_acted

        post_migrate.connect(sync_role_permissions, dispatch_uid="clinic.sync_role_permissions")
        pre_delete.connect(
            refuse_deleting_users_who_acted, sender=get_user_model(), dispatch_uid="clinic.refuse_deleting_users"
        )
