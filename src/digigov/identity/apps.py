from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "digigov.identity"
    label = "identity"
    verbose_name = "Digigov identity"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # A staff sign-in is an action (identity.actions.sign_in_staff), which keeps the
        # time with its audit row; Django's receiver would write it a second way.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
