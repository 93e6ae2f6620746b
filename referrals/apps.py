from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import (
            receivers,  # noqa: F401  (connects the "after a session" hook)
            search,
            where_index,
        )

        search.register_lookups()
        where_index.connect()  # keeps the "where can I refer?" index up to date
        connection_created.connect(search.add_sqlite_unaccent, dispatch_uid="referrals-sqlite-unaccent")
