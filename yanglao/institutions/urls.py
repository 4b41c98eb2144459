from django.urls import path

from yanglao.institutions import views

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
]
