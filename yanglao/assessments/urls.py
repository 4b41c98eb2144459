from django.urls import path

from yanglao.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("to-confirm/", views.to_confirm, name="to_confirm"),
    path("preview/", views.preview, name="preview"),
    path("config/", views.config, name="config"),
    path("person/<uuid:public_id>/", views.person_history, name="person"),
    path("person/<uuid:public_id>/start/", views.start, name="start"),
    path("<uuid:assessment_id>/", views.detail, name="detail"),
    path("<uuid:assessment_id>/save/", views.save, name="save"),
    path("<uuid:assessment_id>/confirm/", views.confirm, name="confirm"),
    path("<uuid:assessment_id>/return/", views.send_back, name="return"),
    path("<uuid:assessment_id>/report.pdf", views.report_pdf, name="pdf"),
]
