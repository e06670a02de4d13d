from auditlog.registry import auditlog
from django.conf import settings
from django.db import models

from audit import erasure


class DraftQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DraftQuerySet":
        """A draft is its author's alone."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)


class Draft(models.Model):
    """The answers given so far in a journey whose record is written only when it ends.

    Kept on the server, page by page (``{step name: {field: answer}}``), so a validation
    error, a time-out or signing out loses nothing. A decision needs none: it is a record
    (a draft decision) from its first page.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("consent.Child", on_delete=models.CASCADE)
    journey = models.CharField(max_length=20)
    answers = models.JSONField(default=dict, blank=True)
    next_url = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "child", "journey"], name="one_draft_per_journey"),
        ]

    def __str__(self) -> str:
        return f"Unfinished {self.journey} for {self.child}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.user.agency_id


auditlog.register(Draft)
# A draft's answers are the record's text before it is written (audit.erasure).
erasure.register(Draft, fields=("answers",), name_is_personal=True)
