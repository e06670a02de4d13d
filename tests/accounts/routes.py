from tests.url_matrix import LOGIN, PERSONAS, Route, allow, everyone

ROUTES = {
    "home": Route(allow(*PERSONAS)),
    "healthz": Route(everyone(200)),
    "accounts:login": Route(everyone(302, anonymous=200)),
    # Sign-out is POST only: a link or an image tag cannot sign anyone out.
    "accounts:logout": Route(everyone(405)),
    "accounts:password_reset": Route(everyone(200)),
    "accounts:password_reset_done": Route(everyone(200)),
    "accounts:password_reset_confirm": Route(
        everyone(200), kwargs=lambda personas: {"uidb64": "MQ", "token": "not-a-token"}
    ),
    "accounts:password_reset_complete": Route(everyone(200)),
    "accounts:session_status": Route(allow(*PERSONAS)),
    "accounts:session_extend": Route(everyone(405, anonymous=LOGIN)),
}
