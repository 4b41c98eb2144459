from django.urls import path

from yanglao.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.population, name="population"),
    path("visits/", views.visits, name="visits"),
    path("assessments/", views.assessments, name="assessments"),
    path("benefits/", views.benefits, name="benefits"),
    path("institutions/", views.institutions, name="institutions"),
    path("services/", views.services_, name="services"),
    path("export.xlsx", views.export, name="export"),
    path("indicators/", views.indicators, name="indicators"),
    path("snapshots/", views.snapshots, name="snapshots"),
    path("snapshots/run/", views.snapshot_run, name="snapshot_run"),
    path("scorecard/", views.scores, name="scorecard"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<int:bulletin_id>/", views.bulletin, name="bulletin"),
    path("bulletins/<int:bulletin_id>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path(
        "bulletins/<int:bulletin_id>/withdraw/", views.bulletin_withdraw, name="bulletin_withdraw"
    ),
    path("bulletins/<int:bulletin_id>/bulletin.xlsx", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("bulletins/<int:bulletin_id>/bulletin.pdf", views.bulletin_pdf, name="bulletin_pdf"),
]
