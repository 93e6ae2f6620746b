from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import (
            receivers,  # noqa: F401  (connects the "after a session" hook)
            search,
        )

        search.register_lookups()
        connection_created.connect(search.add_sqlite_unaccent, dispatch_uid="referrals-sqlite-unaccent")
