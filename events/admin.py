from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import Event, Series, Topic, Venue


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "kind", "address"]
    list_filter = ["partnership", "kind"]
    search_fields = ["name", "address"]

    def save_model(self, request, obj, form, change):
        """Through the service, so the venue's sessions get a new SEQUENCE (calendars update)."""
        from .services import venue_update

        if change:
            venue_update(venue=obj, **{name: form.cleaned_data[name] for name in form.changed_data})
        else:
            super().save_model(request, obj, form, change)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "rrule", "start_date", "start_time", "is_published"]
    list_filter = ["partnership", "is_published"]
    search_fields = ["title"]
    readonly_fields = ["created_at", "updated_at", "created_by"]
    actions = ["publish"]

    @admin.action(description="Publish the selected series and their future sessions")
    def publish(self, request, queryset):
        for series in queryset:
            services.series_publish(series=series)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "start", "status", "capacity", "series"]
    list_filter = ["partnership", "status"]
    search_fields = ["title"]
    date_hierarchy = "start"
    readonly_fields = ["sequence", "detached", "occurrence_date", "published_at", "cancelled_at", "created_at"]
    actions = ["publish"]

    @admin.action(description="Publish the selected sessions")
    def publish(self, request, queryset):
        for event in queryset:
            try:
                services.event_publish(event=event)
            except ValidationError as error:
                self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
