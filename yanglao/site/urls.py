from django.urls import path

from yanglao.site import views

app_name = "site"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("figures/", views.figures, name="figures"),
]
