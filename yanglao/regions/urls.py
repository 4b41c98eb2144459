from django.urls import path

from yanglao.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:code>/", views.node, name="node"),
]
