from django.contrib import admin

from . import services
from .models import FeedToken, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to_email", "status", "attempts", "event", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject"]
    list_select_related = ["event"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry", "deliver_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Try the selected failed messages again")
    def retry(self, request, queryset):
        for message in queryset:
            services.outbox_retry(message=message)

    @admin.action(description="Deliver the selected pending messages now")
    def deliver_now(self, request, queryset):
        for message in queryset:
            services.outbox_deliver(message_id=message.pk)


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__email"]
    readonly_fields = ["token", "created_at"]
    actions = ["reset"]

    @admin.action(description="Reset (revoke) the selected feed addresses")
    def reset(self, request, queryset):
        for token in queryset:
            services.feed_token_reset(user=token.user, kind=token.kind)


from .models import Announcement, Follow  # noqa: E402 - kept with the admins below, for merges


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "source", "created_at"]
    list_filter = ["partnership", "source"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user", "partnership"]
    readonly_fields = ["user", "partnership", "source", "created_at"]
    filter_horizontal = ["topics"]

    def has_add_permission(self, request):
        return False  # consent is given by the person (preferences page, sign-up, API), not by staff


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["created_at", "partnership", "kind", "subject", "sent_by", "recipients"]
    list_filter = ["kind", "partnership"]
    search_fields = ["subject"]
    list_select_related = ["partnership", "sent_by"]
    readonly_fields = [f.name for f in Announcement._meta.fields]

    def has_add_permission(self, request):
        return False
