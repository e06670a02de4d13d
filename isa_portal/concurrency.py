"""Optimistic locking: two people editing the same record never silently overwrite each other.

An editable model inherits ``Versioned``; its edit form inherits
``VersionedFormMixin`` (a hidden ``lock_version``); its update service calls
``claim_version`` inside its transaction, which locks the row, refuses a stale
edit with ``EditConflict`` (carrying the current record, to show what changed)
and bumps the version.
"""

from django import forms
from django.db import models


class EditConflict(Exception):
    def __init__(self, current: models.Model):
        super().__init__("Someone else changed this record after you opened it.")
        self.current = current


class Versioned(models.Model):
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True


def claim_version(obj: Versioned, *, expected: int) -> Versioned:
    """Call inside ``transaction.atomic()`` before saving ``obj``. Returns the row as stored."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if current.lock_version != expected:
        raise EditConflict(current)
    obj.lock_version = current.lock_version + 1
    return current


class VersionedFormMixin(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None and not self.is_bound:
            self.initial["lock_version"] = instance.lock_version
