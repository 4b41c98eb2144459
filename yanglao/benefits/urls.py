from django.urls import path

from yanglao.benefits import views, views_rules

app_name = "benefits"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/publish/", views.publish, name="publish"),
    path("items/rule-preview/", views_rules.preview, name="rule_preview"),
    path("overlaps/publish/", views.overlap_publish, name="overlap_publish"),
    path("discovery/", views.discovery, name="discovery"),
    path("discovery/export.xlsx", views.discovery_export, name="discovery_export"),
    path("person/<uuid:public_id>/", views.person, name="person"),
    path("person/<uuid:public_id>/apply/", views.apply, name="apply"),
    path("applications/", views.applications, name="applications"),
    path("applications/<uuid:application_id>/", views.application, name="application"),
    path("applications/<uuid:application_id>/decide/", views.decide, name="decide"),
    path("applications/<uuid:application_id>/appeal/", views.appeal, name="appeal"),
    path(
        "applications/<uuid:application_id>/documents/<int:document_id>/",
        views.document,
        name="document",
    ),
    path("entitlements/<uuid:entitlement_id>/stop/", views.stop, name="stop"),
    path(
        "entitlements/<uuid:entitlement_id>/account/",
        views.entitlement_account,
        name="entitlement_account",
    ),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/close/", views.task_close, name="task_close"),
    path("rolls/", views.rolls, name="rolls"),
    path("rolls/generate/", views.roll_generate, name="roll_generate"),
    path("rolls/<uuid:roll_id>/", views.roll, name="roll"),
    path("rolls/<uuid:roll_id>/approve/", views.roll_approve, name="roll_approve"),
    path("rolls/<uuid:roll_id>/export.xlsx", views.roll_export, name="roll_export"),
    path("import/", views.external_import, name="import"),
]
