from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-mostly: seats and the waitlist change only through the services (the actions below)."""

    list_display = ["event", "user", "status", "waitlist_position", "attendance", "source", "created_at"]
    list_filter = ["status", "attendance", "source", "event__partnership"]
    search_fields = ["user__email", "user__full_name", "event__title", "check_in_code"]
    list_select_related = ["event", "user"]
    readonly_fields = [
        "event",
        "user",
        "status",
        "waitlist_position",
        "source",
        "sector",
        "check_in_code",
        "attendance",
        "attendance_marked_at",
        "attendance_marked_by",
        "cancelled_at",
        "anonymised_at",
        "created_at",
        "updated_at",
    ]
    actions = ["cancel", "mark_attended"]

    def has_add_permission(self, request):
        return False  # registrations are made by people, walk-ins on the roster page

    @admin.action(description="Cancel the selected registrations (the waitlist moves up)")
    def cancel(self, request, queryset):
        for registration in queryset:
            try:
                services.registration_cancel(registration=registration, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{registration}: {' '.join(error.messages)}", messages.ERROR)

    @admin.action(description="Mark the selected registrations as attended")
    def mark_attended(self, request, queryset):
        for registration in queryset:
            try:
                services.attendance_mark(registration=registration, attended=True, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{registration}: {' '.join(error.messages)}", messages.ERROR)
