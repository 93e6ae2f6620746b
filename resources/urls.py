from django.urls import path

from . import views

urlpatterns = [
    path("events/<int:event_id>/resources/", views.event_resources, name="event-resources"),
    path("resources/<int:resource_id>/file/", views.resource_file, name="resource-file"),
    path("resources/<int:resource_id>/delete/", views.resource_delete, name="resource-delete"),
    path("manage/<slug:slug>/events/<int:event_id>/presenters/", views.event_presenters, name="event-presenters"),
    path("partnerships/<slug:slug>/resources/", views.resource_library, name="resource-library"),
]
