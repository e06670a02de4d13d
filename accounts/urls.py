from django.urls import path

from accounts import oidc, passkey_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("sso/callback/", oidc.sign_in_callback, name="sso_callback"),
    path("sso/<slug:provider>/", oidc.SignInStartView.as_view(), name="sso_start"),
    path("two-step/", views.two_factor, name="two_factor"),
    path("two-step/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("two-step/backup-codes/", views.backup_codes, name="backup_codes"),
    path("security/", passkey_views.security, name="security"),
    path("security/authenticator-app/add/", passkey_views.app_add, name="app_add"),
    path("security/authenticator-app/remove/", passkey_views.app_remove, name="app_remove"),
    path("passkeys/add/", passkey_views.passkey_add, name="passkey_add"),
    path("passkeys/create/", passkey_views.passkey_create, name="passkey_create"),
    path("passkeys/<int:pk>/remove/", passkey_views.passkey_remove, name="passkey_remove"),
    path("passkeys/register/begin/", passkey_views.register_begin, name="passkey_register_begin"),
    path("passkeys/register/complete/", passkey_views.register_complete, name="passkey_register_complete"),
    path("passkeys/verify/begin/", passkey_views.verify_begin, name="passkey_verify_begin"),
    path("passkeys/verify/complete/", passkey_views.verify_complete, name="passkey_verify_complete"),
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
