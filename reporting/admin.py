from django.contrib import admin, messages

from . import services
from .models import Feedback, FeedbackRequest


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    """Invitations are made when attendance is finalised; only the token's hash is stored."""

    list_display = ["registration", "created_at", "expires_at"]
    list_filter = ["registration__event__partnership"]
    list_select_related = ["registration__event", "registration__user"]
    search_fields = ["registration__event__title"]
    readonly_fields = ["registration", "token_hash", "created_at", "expires_at"]
    actions = ["expire"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Make the links stop working now")
    def expire(self, request, queryset):
        for feedback_request in queryset:
            services.feedback_request_expire(feedback_request=feedback_request)
        messages.success(request, f"{queryset.count()} link(s) expired.")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: answers belong to the people who gave them. Quotes can be unpicked."""

    list_display = ["pk", "event", "rating", "would_recommend", "new_contacts", "consent_quote", "quote_field"]
    list_filter = ["registration__event__partnership", "rating", "would_recommend", "consent_quote"]
    list_select_related = ["registration__event"]
    search_fields = ["registration__event__title"]
    readonly_fields = [
        "registration",
        "rating",
        "most_useful",
        "do_differently",
        "new_contacts",
        "sectors_connected",
        "would_recommend",
        "comments",
        "consent_quote",
        "consent_name",
        "quote_field",
        "quote_selected_by",
        "submitted_at",
        "updated_at",
    ]
    actions = ["unquote"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Session")
    def event(self, obj):
        return obj.registration.event

    @admin.action(description="Take the quote out of reports")
    def unquote(self, request, queryset):
        for feedback in queryset:
            services.feedback_quote_select(feedback=feedback, quote_field="", by=request.user)
        messages.success(request, f"{queryset.count()} response(s) no longer quoted.")
