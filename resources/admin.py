from django.contrib import admin

from .models import Resource, SessionPresenter


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "kind", "visibility", "size", "created_at"]
    list_filter = ["kind", "visibility"]
    search_fields = ["title", "description", "event__title"]
    raw_id_fields = ["event", "added_by"]
    readonly_fields = ["file", "filename", "content_type", "size", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # files are checked on the way in: add them on the session's Resources page or the API


@admin.register(SessionPresenter)
class SessionPresenterAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "created_at"]
    raw_id_fields = ["event", "user", "added_by"]
