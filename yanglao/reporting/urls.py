from django.urls import path

from yanglao.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("enter/", views.enter, name="enter"),
    path("r/<uuid:data_report_id>/", views.report, name="report"),
    path("r/<uuid:data_report_id>/approve/", views.approve, name="approve"),
    path("r/<uuid:data_report_id>/return/", views.send_back, name="return"),
]
