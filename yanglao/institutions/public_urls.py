"""Public pages of the institution directory (no login), under /public/institutions/."""

from django.urls import path

from yanglao.institutions import views_public

app_name = "institutions_public"

urlpatterns = [
    path("", views_public.directory, name="directory"),
    path("<uuid:institution_id>/", views_public.detail, name="detail"),
    path("draws/", views_public.draws, name="draws"),
    path("draws/<uuid:draw_id>.json", views_public.draw_json, name="draw_json"),
]
