from django.urls import path

from yanglao.core import views

app_name = "audit"

urlpatterns = [path("", views.search, name="search")]
