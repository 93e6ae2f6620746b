from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import (
    Accessibility,
    Address,
    Attribute,
    ChangeSuggestion,
    Contact,
    CostOption,
    Directory,
    FeaturedPathway,
    FeaturedService,
    HsdsImport,
    Language,
    Location,
    NeedRelation,
    NetworkInsights,
    Organization,
    Pathway,
    PathwayRevision,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    WhereIndexEntry,
)


@admin.register(Directory)
class DirectoryAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "is_public", "is_demo", "review_interval_days"]
    list_filter = ["is_public", "is_demo"]


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "version"]
    search_fields = ["name"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "taxonomy", "ordering"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "directory", "website"]
    list_filter = ["directory"]
    search_fields = ["name"]


class AttributeInline(admin.TabularInline):
    model = Attribute
    extra = 0
    fields = ["taxonomy_term", "link_type", "value"]
    autocomplete_fields = ["taxonomy_term"]


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0
    fields = ["area_type", "code", "name", "description"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "directory", "status", "capacity_status", "assured_date", "review_due"]
    list_filter = ["directory", "status", "capacity_status", "is_acco"]
    search_fields = ["name", "organization__name"]
    readonly_fields = ["id", "last_modified", "created_at"]
    raw_id_fields = ["access_point", "organization"]
    inlines = [AttributeInline, ServiceAreaInline]
    actions = ["verify"]

    @admin.action(description="Mark the selected services verified today")
    def verify(self, request, queryset):
        for service in queryset:
            services.service_verify(service=service, user=request.user)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "location_type", "organization", "directory"]
    list_filter = ["directory", "location_type"]
    search_fields = ["name"]


@admin.register(ServiceAtLocation)
class ServiceAtLocationAdmin(admin.ModelAdmin):
    list_display = ["service", "location"]
    raw_id_fields = ["service", "location"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["address_1", "city", "postal_code", "location"]
    search_fields = ["address_1", "city", "postal_code"]
    raw_id_fields = ["location"]


class HsdsChildAdmin(admin.ModelAdmin):
    def get_raw_id_fields(self, request):
        names = {f.name for f in self.model._meta.get_fields() if f.is_relation and f.many_to_one}
        return sorted(names)


@admin.register(Phone)
class PhoneAdmin(HsdsChildAdmin):
    list_display = ["number", "type", "service", "location", "organization"]
    search_fields = ["number"]


@admin.register(Contact)
class ContactAdmin(HsdsChildAdmin):
    list_display = ["name", "title", "email", "service", "organization"]
    search_fields = ["name", "email"]


@admin.register(Schedule)
class ScheduleAdmin(HsdsChildAdmin):
    list_display = ["__str__", "service", "location"]


@admin.register(Language)
class LanguageAdmin(HsdsChildAdmin):
    list_display = ["name", "code", "service", "location"]


@admin.register(Accessibility)
class AccessibilityAdmin(HsdsChildAdmin):
    list_display = ["__str__", "location"]


@admin.register(ServiceArea)
class ServiceAreaAdmin(HsdsChildAdmin):
    list_display = ["name", "area_type", "code", "service"]
    list_filter = ["area_type"]


@admin.register(CostOption)
class CostOptionAdmin(HsdsChildAdmin):
    list_display = ["__str__", "amount", "currency", "service"]


@admin.register(Attribute)
class AttributeAdmin(HsdsChildAdmin):
    list_display = ["service", "link_type", "taxonomy_term"]
    list_filter = ["link_type"]


class RevisionInline(admin.TabularInline):
    model = PathwayRevision
    extra = 0
    fields = ["number", "changed_at", "changed_by", "changed_fields", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # revisions are written by the services


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["__str__", "directory", "method", "typical_wait_days", "last_verified", "review_due", "is_active"]
    list_filter = ["directory", "is_active", "method"]
    search_fields = ["target_service__name", "source_service__name", "source_role__name"]
    raw_id_fields = ["source_service", "target_service", "last_verified_by"]
    filter_horizontal = ["needs", "referrer_roles", "alternatives"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [RevisionInline]
    actions = ["verify"]

    @admin.action(description="Mark the selected pathways verified today")
    def verify(self, request, queryset):
        for pathway in queryset:
            services.pathway_verify(pathway=pathway, user=request.user)


@admin.register(PathwayRevision)
class PathwayRevisionAdmin(admin.ModelAdmin):
    list_display = ["pathway", "number", "changed_at", "changed_by", "note"]
    readonly_fields = ["pathway", "number", "snapshot", "changed_fields", "note", "changed_by", "changed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ChangeSuggestion)
class ChangeSuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "directory", "status", "suggested_by", "created_at"]
    list_filter = ["status", "directory"]
    raw_id_fields = ["service", "pathway", "suggested_by", "decided_by"]
    actions = ["reject"]

    @admin.action(description="Reject the selected suggestions")
    def reject(self, request, queryset):
        for suggestion in queryset:
            try:
                services.suggestion_reject(suggestion=suggestion, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{suggestion}: {' '.join(error.messages)}", messages.ERROR)


@admin.register(HsdsImport)
class HsdsImportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "directory", "uploaded_by", "status", "created_at", "applied_at"]
    list_filter = ["status", "directory"]
    readonly_fields = [
        "directory",
        "uploaded_by",
        "filename",
        "payload",
        "report",
        "mappings",
        "status",
        "total",
        "error",
        "created_at",
        "applied_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("source")  # the uploaded file can be 50 MB

    def has_add_permission(self, request):
        return False  # uploaded on the coordinators' import page


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


@admin.register(NeedRelation)
class NeedRelationAdmin(admin.ModelAdmin):
    list_display = ["need", "related_need", "directory"]
    list_filter = ["directory"]
    autocomplete_fields = ["need", "related_need"]


@admin.register(NetworkInsights)
class NetworkInsightsAdmin(admin.ModelAdmin):
    list_display = ["directory", "computed_at", "duration_ms", "scheduled_for", "computations"]
    readonly_fields = ["directory", "data", "computed_at", "duration_ms", "scheduled_for", "computations"]


@admin.register(WhereIndexEntry)
class WhereIndexEntryAdmin(admin.ModelAdmin):
    """The "where can I refer?" index, derived from pathways and services: to look at, never to edit
    (`manage.py where_index_rebuild` rewrites it)."""

    list_display = ["pathway", "need", "target_service", "target_status", "target_capacity"]
    list_filter = ["directory", "target_status"]
    list_select_related = ["pathway", "need", "target_service"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
