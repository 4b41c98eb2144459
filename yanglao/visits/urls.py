from django.urls import path

from yanglao.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.today, name="today"),
    path("app/", views.app, name="app"),
    path("app/data.json", views.app_data, name="app_data"),
    path("sync/", views.sync_upload, name="sync"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("person/<uuid:public_id>/", views.person_visits, name="person"),
    path("record/<uuid:record_id>/", views.record_detail, name="record"),
    path("follow-up/<int:followup_id>/close/", views.followup_close, name="followup_close"),
    path("photo/<int:photo_id>/", views.photo, name="photo"),
    path("board/", views.board, name="board"),
    path("board/emergencies/", views.emergencies, name="emergencies"),
    path("assign/", views.assign, name="assign"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/trend/", views.coverage_trend, name="coverage_trend"),
    path("coverage/export.xlsx", views.coverage_export, name="coverage_export"),
    path("coverage/people/", views.coverage_people, name="coverage_people"),
    path("policy/", views.policy_page, name="policy"),
]
