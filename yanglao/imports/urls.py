from django.urls import path

from yanglao.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_index, name="index"),
    path("upload/", views.batch_upload, name="upload"),
    path("template.xlsx", views.template_download, name="template"),
    path("<uuid:public_id>/", views.batch_detail, name="detail"),
    path("<uuid:public_id>/status/", views.batch_status, name="status"),
    path("<uuid:public_id>/map/", views.batch_map, name="map"),
    path("<uuid:public_id>/commit/", views.batch_commit, name="commit"),
    path("<uuid:public_id>/cancel/", views.batch_cancel, name="cancel"),
    path("<uuid:public_id>/errors.xlsx", views.errors_download, name="errors"),
]
