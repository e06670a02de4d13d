"""Signatures recorded before issue 20 kept no snapshot: fill what is known from the records they
point to (the agency's name today, and the nominated representative they named), leaving them
marked "recorded before signing evidence was kept" (method ``recorded``, the default)."""

from django.db import migrations


def fill(apps, schema_editor):
    Signature = apps.get_model("agreements", "Signature")
    for signature in Signature.objects.filter(agency_name="").select_related("agency", "representative"):
        signature.agency_name = signature.agency.name
        signature.representative_name = signature.representative.name
        signature.representative_email = signature.representative.email
        signature.save(update_fields=["agency_name", "representative_name", "representative_email"])


def empty(apps, schema_editor):
    Signature = apps.get_model("agreements", "Signature")
    for signature in Signature.objects.filter(method="recorded").exclude(agency_name=""):
        signature.agency_name = signature.representative_name = signature.representative_email = ""
        signature.save(update_fields=["agency_name", "representative_name", "representative_email"])


class Migration(migrations.Migration):
    dependencies = [("agreements", "0009_signature_evidence_and_invitations")]

    operations = [migrations.RunPython(fill, empty)]
