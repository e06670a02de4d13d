"""Signing in by email and password: Django's ModelBackend, loading the user with their agency.

Every page's header names the user's agency and scope checks read it, so one JOIN
when the session's user is loaded spares a query on every request. The same query says
whether the person is their agency's current nominated representative (a subquery on the
agency's one current post), so the home page asks for agreements waiting for their signature
only when there can be some.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef


def _session_users():
    from agreements.models import NominatedRepresentative

    current_post = NominatedRepresentative.objects.filter(
        agency_id=OuterRef("agency_id"), ended_on__isnull=True, email__iexact=OuterRef("email")
    )
    return (
        get_user_model()
        ._default_manager.select_related("agency")
        .annotate(is_current_representative=Exists(current_post))
    )


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = _session_users().get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await _session_users().aget(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
