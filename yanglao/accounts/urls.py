from django.urls import path

from yanglao.accounts import regionpicker, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_otp, name="login_otp"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password"),
    path("security/", views.my_security, name="security"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/otp-reset/", views.user_otp_reset, name="user_otp_reset"),
    path("changes/", views.changes, name="changes"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
    path("policy/", views.security_policy, name="policy"),
    path("regions/", regionpicker.search, name="region_search"),
]
