from django.contrib import admin

from .models import FeaturedPathway, FeaturedService


@admin.register(FeaturedService)
class FeaturedServiceAdmin(admin.ModelAdmin):
    list_display = ["service", "event", "created_at"]
    list_select_related = ["service", "event"]
    raw_id_fields = ["event", "service"]
    search_fields = ["service__name", "event__title"]


@admin.register(FeaturedPathway)
class FeaturedPathwayAdmin(admin.ModelAdmin):
    list_display = ["pathway", "event", "created_at"]
    list_select_related = ["pathway__target_service", "pathway__source_service", "pathway__source_role", "event"]
    raw_id_fields = ["event", "pathway"]
    search_fields = ["pathway__target_service__name", "event__title"]
