from django.urls import path

from . import views

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
    path("manage/<slug:slug>/directory/needs/", views.need_relations, name="directory-need-relations"),
    path(
        "manage/<slug:slug>/directory/suggestions/<int:suggestion_id>/",
        views.suggestion_decide,
        name="directory-suggestion-decide",
    ),
    path("manage/<slug:slug>/directory/import/", views.import_upload, name="directory-import-upload"),
    path("manage/<slug:slug>/directory/import/<int:import_id>/", views.import_detail, name="directory-import"),
]
