from django.urls import path

from yanglao.institutions import views, views_admission, views_reports, views_supervision

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
    # --- parts 5–6: 双随机一公开, inspection and rectification (views_supervision) ---
    path("inspections/", views_supervision.tasks, name="inspection_tasks"),
    path("inspections/findings/", views_supervision.findings, name="inspection_findings"),
    path("inspections/results/", views_supervision.results, name="inspection_results"),
    path("inspections/plans/", views_supervision.plans, name="inspection_plans"),
    path("inspections/watch/", views_supervision.watch, name="inspection_watch"),
    path("inspections/directory/", views_supervision.directory, name="inspection_directory"),
    path(
        "inspections/directory/link/",
        views_supervision.directory_link,
        name="inspection_directory_link",
    ),
    path("inspections/app/", views_supervision.app, name="inspection_app"),
    path("inspections/app/data.json", views_supervision.app_data, name="inspection_app_data"),
    path("inspections/sync/", views_supervision.sync_upload, name="inspection_sync"),
    path("inspections/sw.js", views_supervision.service_worker, name="inspection_sw"),
    path("inspections/manifest.json", views_supervision.manifest, name="inspection_manifest"),
    path(
        "inspections/plans/<uuid:plan_id>/",
        views_supervision.plan_detail,
        name="inspection_plan",
    ),
    path(
        "inspections/plans/<uuid:plan_id>/draw/",
        views_supervision.plan_draw,
        name="inspection_plan_draw",
    ),
    path(
        "inspections/plans/<uuid:plan_id>/draw.json",
        views_supervision.plan_draw_json,
        name="inspection_plan_draw_json",
    ),
    path(
        "inspections/tasks/<uuid:inspection_task_id>/",
        views_supervision.task_detail,
        name="inspection_task",
    ),
    path(
        "inspections/tasks/<uuid:inspection_task_id>/publish/",
        views_supervision.task_publish,
        name="inspection_task_publish",
    ),
    path(
        "inspections/findings/<uuid:finding_id>/",
        views_supervision.finding_detail,
        name="inspection_finding",
    ),
    path(
        "inspections/findings/<uuid:finding_id>/answer/",
        views_supervision.finding_answer,
        name="inspection_finding_answer",
    ),
    path(
        "inspections/findings/<uuid:finding_id>/recheck/",
        views_supervision.finding_recheck,
        name="inspection_finding_recheck",
    ),
    path(
        "inspections/evidence/<int:evidence_id>/",
        views_supervision.evidence,
        name="inspection_evidence",
    ),
]

# Part 7: 等级评定 (GB/T 37276-2018)
from yanglao.institutions import views_rating  # noqa: E402

urlpatterns += [
    path("ratings/", views_rating.ratings, name="ratings"),
    path("ratings/<uuid:rating_id>/", views_rating.rating_detail, name="rating_detail"),
    path("ratings/<uuid:rating_id>/decide/", views_rating.rating_decide, name="rating_decide"),
    path(
        "ratings/<uuid:rating_id>/objection/",
        views_rating.rating_objection,
        name="rating_objection",
    ),
    path("ratings/<uuid:rating_id>/certify/", views_rating.rating_certify, name="rating_certify"),
    path("<uuid:institution_id>/rating/apply/", views_rating.rating_apply, name="rating_apply"),
    path(
        "<uuid:institution_id>/rating/downgrade/",
        views_rating.rating_downgrade,
        name="rating_downgrade",
    ),
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
    # --- part 2: waiting list of public homes (长春 §18 priority order) ---
    path("<uuid:institution_id>/waiting/", views_admission.waiting, name="waiting"),
    path("<uuid:institution_id>/waiting/new/", views_admission.request_new, name="waiting_new"),
    path(
        "<uuid:institution_id>/waiting/<uuid:admission_id>/admit/",
        views_admission.request_admit,
        name="waiting_admit",
    ),
    path(
        "<uuid:institution_id>/waiting/<uuid:admission_id>/withdraw/",
        views_admission.request_withdraw,
        name="waiting_withdraw",
    ),
]
