from django.urls import path

from . import views

TABLES = "manage/<slug:slug>/events/<int:event_id>/tables/"

urlpatterns = [
    path(TABLES, views.table_plan, name="table-plan"),
    path(f"{TABLES}generate/", views.table_plan_generate, name="table-plan-generate"),
    path(f"{TABLES}regenerate/", views.table_plan_regenerate, name="table-plan-regenerate"),
    path(f"{TABLES}move/", views.table_plan_move, name="table-plan-move"),
    path(f"{TABLES}pin/", views.table_plan_pin, name="table-plan-pin"),
    path(f"{TABLES}badges.pdf", views.table_plan_badges, name="table-plan-badges"),
    path(f"{TABLES}<int:group_id>/lock/", views.table_group_lock, name="table-group-lock"),
    path(f"{TABLES}<int:group_id>/edit/", views.table_group_edit, name="table-group-edit"),
    path("events/<int:event_id>/my-table/", views.my_table, name="my-table"),
    path("events/<int:event_id>/cards/<int:registration_id>/", views.networking_card, name="networking-card"),
]
