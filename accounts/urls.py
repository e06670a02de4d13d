from django.urls import path

from accounts import oidc, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("sso/callback/", oidc.sign_in_callback, name="sso_callback"),
    path("sso/<slug:provider>/", oidc.SignInStartView.as_view(), name="sso_start"),
    path("two-step/", views.two_factor, name="two_factor"),
    path("two-step/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("two-step/backup-codes/", views.backup_codes, name="backup_codes"),
    path("password-reset/", views.ResetRequestView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.ResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("session/", views.session_status, name="session_status"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("users/", views.user_list, name="user_list"),
    path("users/add/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("access-requests/", views.grant_list, name="grant_list"),
    path("access-requests/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("lockouts/<int:pk>/lift/", views.lockout_lift, name="lockout_lift"),
]
