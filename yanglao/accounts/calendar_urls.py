from django.urls import path

from yanglao.accounts import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("", views.year, name="year"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
