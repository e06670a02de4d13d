"""Signing in by email and password: Django's ModelBackend, loading the user with their agency.

Every page's header names the user's agency and scope checks read it, so one JOIN
when the session's user is loaded spares a query on every request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("agency").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await get_user_model()._default_manager.select_related("agency").aget(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
