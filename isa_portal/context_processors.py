from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.navigation import navigation_for


def service(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "support_email": settings.SUPPORT_EMAIL,
        # Worked out when a template first asks for it (the layout does), once for the page.
        "navigation": SimpleLazyObject(lambda: navigation_for(request)) if signed_in else [],
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT if signed_in else None,
        "session_idle_warning": settings.SESSION_IDLE_WARNING,
    }
