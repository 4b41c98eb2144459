from django.urls import path

from yanglao.accounts import audit_views as views

app_name = "audit"

urlpatterns = [path("", views.search, name="search")]
