from django.urls import path

from yanglao.institutions import views, views_reports

app_name = "institutions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("filings/", views.filings, name="filings"),
    path("filings/<uuid:filing_id>/decide/", views.filing_decide, name="filing_decide"),
    path("overdue/", views.overdue, name="overdue"),
    path("<uuid:institution_id>/", views.detail, name="detail"),
    path("<uuid:institution_id>/edit/", views.edit, name="edit"),
    path("<uuid:institution_id>/filing/", views.filing_new, name="filing_new"),
    path("<uuid:institution_id>/beds/", views.bed_add, name="bed_add"),
    path("<uuid:institution_id>/admit/", views.admit, name="admit"),
    path(
        "<uuid:institution_id>/residents/<uuid:residency_id>/discharge/",
        views.discharge,
        name="discharge",
    ),
    path("<uuid:institution_id>/operators/", views.operator_bind, name="operator_bind"),
    # Parts 3–4 and 特困 应养尽养 (views_reports)
    path("<uuid:institution_id>/reports/", views_reports.home, name="reports"),
    path("<uuid:institution_id>/reports/new/", views_reports.report_new, name="report_new"),
    path(
        "<uuid:institution_id>/reports/<uuid:report_id>/",
        views_reports.report_detail,
        name="report_detail",
    ),
    path("<uuid:institution_id>/prepaid/", views_reports.prepaid_new, name="prepaid_new"),
    path("<uuid:institution_id>/prepaid/balance/", views_reports.balance_new, name="balance_new"),
    path("<uuid:institution_id>/stop-notice/", views_reports.stop_notice, name="stop_notice"),
    path("<uuid:institution_id>/complaints/", views_reports.complaint_new, name="complaint_new"),
    path(
        "complaints/<uuid:complaint_id>/close/",
        views_reports.complaint_close,
        name="complaint_close",
    ),
    path("reports/late/", views_reports.late, name="reports_late"),
    path("prepaid/risk/", views_reports.risk, name="risk"),
    path("prepaid/rules/", views_reports.rules, name="rules"),
    path("tekun/", views_reports.tekun, name="tekun"),
    path("tekun/<uuid:request_id>/withdraw/", views_reports.tekun_withdraw, name="tekun_withdraw"),
]
