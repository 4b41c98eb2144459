"""Public pages of the statistics bulletins (no login), under /public/statistics/."""

from django.urls import path

from yanglao.statistics import views

app_name = "statistics_public"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:bulletin_id>/", views.public_bulletin, name="bulletin"),
    path("<int:bulletin_id>/bulletin.xlsx", views.public_xlsx, name="xlsx"),
    path("<int:bulletin_id>/bulletin.pdf", views.public_pdf, name="pdf"),
]
