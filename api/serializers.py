"""What the API says about each record. Read-only but for the draft a client may start.

Free-text notes of a consent record (the discussion, the reason it was not sought) stay in the
service: a case system needs the consent's scope and answer, not the conversation.
"""

from rest_framework import serializers

from consent.models import Child, ConsentRecord
from decisions.models import Decision
from isa_portal.vocabulary import SharingPurpose


class ChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = ["id", "given_name", "family_name", "date_of_birth", "nhs_number"]


class DecisionSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name", read_only=True)
    recipient_agency = serializers.CharField(source="recipient_agency.name", read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "reference",
            "status",
            "child",
            "agency",
            "practitioner_name",
            "created",
            "submitted_at",
            "purpose",
            "outcome",
            "consent_status",
            "consent_position",
            "consent_record",
            "article6_basis",
            "article9_condition",
            "recipient_agency",
            "share_method",
            "shared_on",
            "countersigned_at",
            "tombstoned_at",
        ]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    recipients = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    withdrawn = serializers.SerializerMethodField()

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "child",
            "purpose",
            "matter",
            "information_categories",
            "recipients",
            "answer",
            "asked",
            "parent_relationship",
            "not_sought_reason",
            "how_obtained",
            "given_on",
            "valid_until",
            "withdraws",
            "withdrawn",
            "created_at",
        ]
        read_only_fields = fields

    def get_withdrawn(self, record: ConsentRecord) -> bool:
        """Whether a later record withdrew this consent."""
        return hasattr(record, "withdrawal")


class DraftDecisionSerializer(serializers.Serializer):
    """A draft decision to start: about which child, for which practitioner of the agency."""

    child = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The child's id (GET /children/)."
    )
    practitioner_email = serializers.EmailField(
        max_length=254, help_text="The practitioner of your agency who will complete and submit the decision."
    )
    purpose = serializers.ChoiceField(choices=SharingPurpose.choices, required=False)
    purpose_detail = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    idempotency_key = serializers.UUIDField(
        required=False, help_text="Send the same key again to get the same draft, not a second one."
    )


class DraftDecisionCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    child = serializers.IntegerField()
    practitioner_email = serializers.EmailField()
    purpose = serializers.CharField(allow_blank=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class NhsNumberQuerySerializer(serializers.Serializer):
    nhs_number = serializers.CharField(max_length=20, help_text="Ten digits; spaces are ignored.")


class ChildFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
