import datetime

from audit.models import AuditEntry


def date_fields(name: str, value: datetime.date | None) -> dict[str, str]:
    """POST data for a GOV.UK three-box date."""
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def entries_for(obj, **filters):
    return AuditEntry.objects.filter(
        object_pk=str(obj.pk), content_type__model=obj._meta.model_name, **filters
    )


def scan(name: str = "scan.png"):
    """A scanned paper signature page (a paper signature needs one: issue 20)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
