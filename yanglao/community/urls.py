from django.urls import path

from yanglao.community import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("person/<uuid:public_id>/order/", views.order_new, name="order_new"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order"),
    path("orders/<uuid:order_id>/agree/", views.order_agree, name="order_agree"),
    path("orders/<uuid:order_id>/dispatch/", views.order_dispatch, name="order_dispatch"),
    path("orders/<uuid:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<uuid:order_id>/no-show/", views.order_no_show, name="order_no_show"),
    path("logs/<uuid:log_id>/confirm/", views.log_window_confirm, name="log_confirm"),
    path("logs/<uuid:log_id>/sms/", views.log_sms, name="log_sms"),
    path("worker/app/", views.worker_app, name="worker_app"),
    path("worker/app/data.json", views.worker_data, name="worker_data"),
    path("worker/sync/", views.worker_sync, name="worker_sync"),
    path("worker/sw.js", views.worker_sw, name="worker_sw"),
    path("worker/manifest.webmanifest", views.worker_manifest, name="worker_manifest"),
    path("providers/", views.providers, name="providers"),
    path("providers/new/", views.provider_new, name="provider_new"),
    path("providers/<uuid:provider_id>/", views.provider_detail, name="provider"),
    path("providers/<uuid:provider_id>/prices/", views.price_add, name="price_add"),
    path("providers/<uuid:provider_id>/staff/", views.staff_add, name="staff_add"),
    path("facilities/new/", views.facility_new, name="facility_new"),
    path("funding/", views.funding, name="funding"),
    path("settlements/", views.settlements, name="settlements"),
    path("settlements/<uuid:settlement_id>/", views.settlement_detail, name="settlement"),
    path(
        "settlements/<uuid:settlement_id>/approve/",
        views.settlement_approve,
        name="settlement_approve",
    ),
    path(
        "settlements/<uuid:settlement_id>/export.xlsx",
        views.settlement_export,
        name="settlement_export",
    ),
]
