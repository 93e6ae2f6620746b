from django.urls import path

from . import map_views, views

urlpatterns = [
    path("directory/", views.directory_search, name="directory"),
    path("directory/where/", views.where, name="directory-where"),
    path("directory/hsds/", views.hsds_profile, name="directory-hsds-profile"),
    path("directory/services/<uuid:service_id>/", views.service_detail, name="directory-service"),
    path("directory/services/<uuid:service_id>/suggest/", views.suggest_service, name="directory-service-suggest"),
    path("directory/pathways/<uuid:pathway_id>/", views.pathway_detail, name="directory-pathway"),
    path("directory/pathways/<uuid:pathway_id>/suggest/", views.suggest_pathway, name="directory-pathway-suggest"),
    path("directory/<slug:slug>/print/", views.directory_print, name="directory-print"),
    path("manage/<slug:slug>/directory/", views.manage_directory, name="manage-directory"),
    path("manage/<slug:slug>/directory/services/new/", views.service_new, name="service-new"),
    path("manage/<slug:slug>/directory/services/<uuid:service_id>/", views.service_edit, name="service-edit"),
    path(
        "manage/<slug:slug>/directory/services/<uuid:service_id>/verify/", views.service_verify, name="service-verify"
    ),
    path("manage/<slug:slug>/directory/pathways/new/", views.pathway_new, name="pathway-new"),
    path("manage/<slug:slug>/directory/pathways/<uuid:pathway_id>/", views.pathway_edit, name="pathway-edit"),
    path(
        "manage/<slug:slug>/directory/pathways/<uuid:pathway_id>/verify/", views.pathway_verify, name="pathway-verify"
    ),
    path("manage/<slug:slug>/directory/suggestions/", views.suggestions, name="directory-suggestions"),
    path(
        "manage/<slug:slug>/directory/suggestions/<int:suggestion_id>/",
        views.suggestion_decide,
        name="directory-suggestion-decide",
    ),
    path("manage/<slug:slug>/directory/import/", views.import_upload, name="directory-import-upload"),
    path("manage/<slug:slug>/directory/import/<int:import_id>/", views.import_detail, name="directory-import"),
    # The pathway map, the network insights and sessions (formerly the servicemap app; same URLs and names).
    path("directory/<slug:slug>/map/", map_views.directory_map, name="directory-map"),
    path("manage/<slug:slug>/directory/insights/", map_views.insights, name="directory-insights"),
    path("manage/<slug:slug>/directory/insights.csv", map_views.insights_csv, name="directory-insights-csv"),
    path("manage/<slug:slug>/events/<int:event_id>/featured/", map_views.event_featured, name="event-featured"),
    path("manage/<slug:slug>/events/<int:event_id>/digest/", map_views.event_digest, name="event-digest"),
    path("manage/<slug:slug>/events/<int:event_id>/cards/", map_views.event_cards, name="event-cards"),
    path(
        "manage/<slug:slug>/directory/import/<int:import_id>/progress/",
        views.import_progress,
        name="directory-import-progress",
    ),
]
