from django.urls import path

from . import views

urlpatterns = [
    path("directory/<slug:slug>/map/", views.directory_map, name="directory-map"),
    path("manage/<slug:slug>/directory/insights/", views.insights, name="directory-insights"),
    path("manage/<slug:slug>/directory/insights.csv", views.insights_csv, name="directory-insights-csv"),
    path("manage/<slug:slug>/events/<int:event_id>/featured/", views.event_featured, name="event-featured"),
    path("manage/<slug:slug>/events/<int:event_id>/digest/", views.event_digest, name="event-digest"),
    path("manage/<slug:slug>/events/<int:event_id>/cards/", views.event_cards, name="event-cards"),
]
