"""Public pages of 意见建议反馈 (no login), under /public/feedback/."""

from django.urls import path

from yanglao.feedback import views_public

app_name = "feedback_public"

urlpatterns = [
    path("", views_public.submit, name="submit"),
    path("done/", views_public.done, name="done"),
    path("lookup/", views_public.lookup, name="lookup"),
    path("regions/", views_public.regions, name="regions"),
]
