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
]
