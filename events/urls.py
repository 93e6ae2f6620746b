from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.events_upcoming, name="events-upcoming"),
    path("events/month/", views.events_month, name="events-month"),
    path("manage/<slug:slug>/events/", views.manage_events, name="manage-events"),
    path("manage/<slug:slug>/events/new/", views.event_new, name="event-new"),
    path("manage/<slug:slug>/events/<int:event_id>/edit/", views.event_edit, name="event-edit"),
    path("manage/<slug:slug>/events/<int:event_id>/publish/", views.event_publish, name="event-publish"),
    path("manage/<slug:slug>/events/<int:event_id>/cancel/", views.event_cancel, name="event-cancel"),
    path("manage/<slug:slug>/series/new/", views.series_new, name="series-new"),
    path("manage/<slug:slug>/series/<int:series_id>/", views.series_edit, name="series-edit"),
    path("manage/<slug:slug>/series/<int:series_id>/publish/", views.series_publish, name="series-publish"),
    path("manage/<slug:slug>/venues/", views.venues, name="manage-venues"),
]
