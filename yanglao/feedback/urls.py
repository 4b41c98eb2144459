from django.urls import path

from yanglao.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:feedback_id>/", views.detail, name="detail"),
    path("<uuid:feedback_id>/answer/", views.answer, name="answer"),
    path("<uuid:feedback_id>/forward/", views.forward, name="forward"),
    path("<uuid:feedback_id>/reveal/", views.reveal, name="reveal"),
]
