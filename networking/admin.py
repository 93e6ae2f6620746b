from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import Seat, TableGroup, TablePlan


class TableGroupInline(admin.TabularInline):
    model = TableGroup
    extra = 0
    fields = ["number", "label", "locked"]
    readonly_fields = ["number", "locked"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # tables are made by the planner


@admin.register(TablePlan)
class TablePlanAdmin(admin.ModelAdmin):
    """Read-mostly: plans change through the services (the planner page, the API, the actions below)."""

    list_display = ["event", "min_size", "max_size", "seed", "generated_at", "updated_by"]
    list_filter = ["event__partnership"]
    search_fields = ["event__title"]
    list_select_related = ["event", "updated_by"]
    readonly_fields = [
        "event",
        "min_size",
        "max_size",
        "seed",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "generated_at",
    ]
    inlines = [TableGroupInline]
    actions = ["regenerate"]

    def has_add_permission(self, request):
        return False  # plans are made on the planner page or with the API

    @admin.action(description="Re-plan the unlocked tables (walk-ins seated, no-shows freed)")
    def regenerate(self, request, queryset):
        for plan in queryset:
            try:
                services.plan_regenerate_unlocked(plan=plan, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{plan}: {' '.join(error.messages)}", messages.ERROR)


@admin.register(TableGroup)
class TableGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "locked"]
    list_filter = ["locked", "plan__event__partnership"]
    list_select_related = ["plan", "plan__event"]
    readonly_fields = ["plan", "number", "locked"]
    fields = ["plan", "number", "locked", "label", "prompt"]
    actions = ["lock", "unlock"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.group_update(group=obj, by=request.user, label=obj.label, prompt=obj.prompt)

    @admin.action(description="Lock the selected tables")
    def lock(self, request, queryset):
        for group in queryset:
            services.group_lock(group=group, by=request.user)

    @admin.action(description="Unlock the selected tables")
    def unlock(self, request, queryset):
        for group in queryset:
            services.group_unlock(group=group, by=request.user)


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["registration", "group", "pinned"]
    list_filter = ["pinned", "group__plan__event__partnership"]
    list_select_related = ["registration", "registration__user", "registration__event", "group", "group__plan__event"]
    search_fields = ["registration__user__full_name", "registration__user__email"]
    readonly_fields = ["registration", "group", "pinned", "updated_at"]
    actions = ["pin", "unpin"]

    def has_add_permission(self, request):
        return False

    def _pin(self, request, queryset, pinned: bool):
        for seat in queryset.select_related("group__plan"):
            services.seat_pin(plan=seat.group.plan, registration=seat.registration_id, pinned=pinned, by=request.user)

    @admin.action(description="Pin the selected people to their tables")
    def pin(self, request, queryset):
        self._pin(request, queryset, True)

    @admin.action(description="Unpin the selected people")
    def unpin(self, request, queryset):
        self._pin(request, queryset, False)
