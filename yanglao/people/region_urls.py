from django.urls import path

from yanglao.people import region_views as views

app_name = "regions"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:code>/", views.node, name="node"),
]
