"""Pages of the community programmes (issue 12 parts 4–7, 9), under /community/."""

from django.urls import path

from yanglao.community.programmes import views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.index, name="index"),
    path("homebeds/", views.homebeds, name="homebeds"),
    path("homebeds/new/", views.homebed_new, name="homebed_new"),
    path("homebeds/<uuid:contract_id>/", views.homebed, name="homebed"),
    path("homebeds/<uuid:contract_id>/device/", views.homebed_device, name="homebed_device"),
    path("meals/", views.meals, name="meals"),
    path("meals/sites/<uuid:site_id>/", views.meal_site, name="meal_site"),
    path("meals/sites/<uuid:site_id>/enrol/", views.meal_enrol, name="meal_enrol"),
    path("meals/sites/<uuid:site_id>/record/", views.meal_record, name="meal_record"),
    path("meals/sites/<uuid:site_id>/import/", views.meal_import, name="meal_import"),
    path("meals/sites/<uuid:site_id>/settle/", views.meal_settle, name="meal_settle"),
    path(
        "meals/settlements/<uuid:settlement_id>/",
        views.meal_settlement,
        name="meal_settlement",
    ),
    path(
        "meals/settlements/<uuid:settlement_id>/approve/",
        views.meal_settlement_approve,
        name="meal_settlement_approve",
    ),
    path("modification/", views.modification, name="modification"),
    path("modification/<uuid:case_id>/", views.case, name="case"),
    path("modification/<uuid:case_id>/photo/<int:photo_id>/", views.case_photo, name="case_photo"),
    path("alarms/", views.alarms, name="alarms"),
    path("alarms/devices/", views.devices, name="devices"),
    path("alarms/<uuid:alarm_id>/", views.alarm, name="alarm"),
    path("alarms/<uuid:alarm_id>/arrive/", views.alarm_arrive, name="alarm_arrive"),
    path("alarms/<uuid:alarm_id>/close/", views.alarm_close, name="alarm_close"),
    path("coverage/", views.coverage, name="coverage"),
]
