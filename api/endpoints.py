"""The API for case systems, version 1: an agency's children, decisions and consent records, FHIR
exports, and starting a draft decision.

Every record is fetched through the product's own scope, ``Model.objects.visible_to(reader)``, as
the web fetches it for a practitioner of the agency (``api.auth.AgencyReader``): another agency's
record answers 404, exactly as if it did not exist. Every call is written to the audit trail like a
page view, naming the client (never a person) as the actor.
"""

from contextlib import ExitStack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_visible_or_404
from api import fhir
from api.auth import ClientRateThrottle, HasScope, TokenAuthentication, record_refused_scope
from api.models import ApiClient, Scope
from api.serializers import (
    ChildFilterSerializer,
    ChildSerializer,
    ConsentSerializer,
    DecisionSerializer,
    DraftDecisionCreatedSerializer,
    DraftDecisionSerializer,
    ErrorSerializer,
    NhsNumberQuerySerializer,
)
from api.services import draft_decision_start, practitioner_for
from audit.context import audit_context, client_address
from audit.models import Event
from audit.services import record_event
from consent.models import Child, ConsentRecord
from consent.validators import normalise_nhs_number, validate_nhs_number
from decisions.models import Decision

ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No token, or one not valid, revoked or expired."),
    403: OpenApiResponse(ErrorSerializer, description="The client was not given this scope."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: wait and try again."),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No such record in your agency's records.")}
INVALID = {400: OpenApiResponse(description="The request is not valid: each field's problems, by name.")}


class FhirJsonRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


class FirstRenderer(BaseContentNegotiation):
    """A FHIR resource is always sent as ``application/fhir+json``, whatever the client accepts."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Pages(PageNumberPagination):
    page_size = 50


# Nothing the API answers is kept by a browser or proxy: records, refusals, the document alike
# (``isa_portal.middleware.NoStoreForSignedInMiddleware`` sees no signed-in person here). A comment,
# not a docstring: drf-spectacular would print a view's inherited docstring into the document.
class NoStore:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class SchemaView(NoStore, SpectacularAPIView):
    pass


class ApiView(NoStore, APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    required_scope: str = ""

    def dispatch(self, request, *args, **kwargs):
        self._audit = ExitStack()
        with self._audit:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # From here on every audit entry, the view's own and those of the services it calls, names
        # the client, its address and the API as the source, and no person.
        self._audit.enter_context(
            audit_context(
                source="api",
                actor_label=self.client.audit_label,
                remote_addr=client_address(request._request),
            )
        )

    def permission_denied(self, request, message=None, code=None):
        if isinstance(request.auth, ApiClient):  # signed in, asking beyond its scopes: a 403 to record
            record_refused_scope(request, request.auth)
        super().permission_denied(request, message=message, code=code)

    @property
    def client(self):
        return self.request.auth

    def reader(self):
        return self.request.user

    def record_list(self, model, *, label: str, **detail) -> None:
        record_event(
            Event.LIST,
            model=model,
            label=f"API: {label}",
            agency_id=self.client.agency_id,
            detail={"api_client": self.client.pk, **detail},
        )

    def record_view(self, obj, **detail) -> None:
        record_event(Event.VIEW, obj, detail={"api_client": self.client.pk, **detail})

    def paginated(self, queryset: QuerySet, serializer_class) -> tuple[Response, list]:
        paginator = Pages()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data), page


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


# --- Children ---------------------------------------------------------------------------------


class ChildLookup(ApiView):
    @extend_schema(
        operation_id="children_lookup",
        summary="Find a child of your agency by NHS number",
        parameters=[NhsNumberQuerySerializer],
        responses={200: ChildSerializer(many=True), **INVALID, **ERRORS},
    )
    def get(self, request):
        nhs_number = normalise_nhs_number(_query(NhsNumberQuerySerializer, request)["nhs_number"])
        try:
            validate_nhs_number(nhs_number)
        except ValidationError as error:
            raise ApiValidationError({"nhs_number": error.messages}) from None
        children = list(Child.objects.visible_to(self.reader()).filter(nhs_number=nhs_number).order_by("id"))
        response = Response(ChildSerializer(children, many=True).data)
        self.record_list(Child, label="children by NHS number", found=len(children))
        return response


class ChildDetail(ApiView):
    @extend_schema(
        operation_id="children_retrieve",
        summary="One child of your agency",
        responses={200: ChildSerializer, **NOT_FOUND, **ERRORS},
    )
    def get(self, request, pk: int):
        child = get_visible_or_404(Child, self.reader(), pk=pk)
        response = Response(ChildSerializer(child).data)
        self.record_view(child)
        return response


# --- Decisions --------------------------------------------------------------------------------


def _decisions() -> QuerySet:
    # Submitted only: a draft is its author's alone (and visible_to gives the client none anyway).
    return (
        Decision.objects.submitted()
        .select_related("agency", "recipient_agency", "countersigned_by")
        .order_by("-created", "-id")
    )


class DecisionList(ApiView):
    required_scope = Scope.READ_DECISIONS

    @extend_schema(
        operation_id="decisions_list",
        summary="Your agency's submitted decisions, newest first",
        parameters=[ChildFilterSerializer, OpenApiParameter("page", int, description="Page number, from 1.")],
        responses={200: DecisionSerializer(many=True), **INVALID, **NOT_FOUND, **ERRORS},
    )
    def get(self, request):
        decisions = _decisions().visible_to(self.reader())
        child = _query(ChildFilterSerializer, request).get("child")
        if child is not None:
            decisions = decisions.filter(child_id=child)
        response, page = self.paginated(decisions, DecisionSerializer)
        self.record_list(Decision, label="decisions", child=child, shown=len(page))
        return response


class DecisionDetail(ApiView):
    required_scope = Scope.READ_DECISIONS

    @extend_schema(
        operation_id="decisions_retrieve",
        summary="One submitted decision of your agency",
        responses={200: DecisionSerializer, **NOT_FOUND, **ERRORS},
    )
    def get(self, request, pk: int):
        decision = get_visible_or_404(_decisions(), self.reader(), pk=pk)
        response = Response(DecisionSerializer(decision).data)
        self.record_view(decision)
        return response


class DecisionProvenance(ApiView):
    required_scope = Scope.READ_DECISIONS
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        operation_id="decisions_provenance",
        summary="One submitted decision as a FHIR R4 Provenance",
        responses={
            (200, "application/fhir+json"): OpenApiResponse(description="A FHIR R4 Provenance resource."),
            **NOT_FOUND,
            **ERRORS,
        },
    )
    def get(self, request, pk: int):
        decision = get_visible_or_404(_decisions(), self.reader(), pk=pk)
        response = Response(fhir.provenance_resource(decision))
        self.record_view(decision, format="fhir")
        return response


class DraftDecisionCreate(ApiView):
    required_scope = Scope.CREATE_DRAFT_DECISION

    @extend_schema(
        operation_id="decisions_draft_create",
        summary="Start a draft decision for a practitioner of your agency to complete",
        description="The practitioner finds it in their drafts, answers the questions and submits it. "
        "The API can never submit a decision: that is a person's act.",
        request=DraftDecisionSerializer,
        responses={201: DraftDecisionCreatedSerializer, **INVALID, **NOT_FOUND, **ERRORS},
    )
    def post(self, request):
        body = DraftDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        child = get_visible_or_404(Child, self.reader(), pk=data["child"])
        try:
            practitioner = practitioner_for(client=self.client, email=data["practitioner_email"])
            decision = draft_decision_start(
                client=self.client,
                child=child,
                practitioner=practitioner,
                purpose=data.get("purpose", ""),
                purpose_detail=data.get("purpose_detail", ""),
                idempotency_key=data.get("idempotency_key"),
            )
        except ValidationError as error:
            raise ApiValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        except PermissionDenied:
            raise ApiValidationError({"idempotency_key": ["This key was used for another draft"]}) from None
        created = {
            "id": decision.pk,
            "status": decision.status,
            "child": child.pk,
            "practitioner_email": practitioner.email,
            "purpose": decision.purpose,
        }
        return Response(DraftDecisionCreatedSerializer(created).data, status=status.HTTP_201_CREATED)


# --- Consent ----------------------------------------------------------------------------------


def _consents() -> QuerySet:
    return (
        ConsentRecord.objects.select_related("child", "agency", "withdrawal")
        .prefetch_related("recipients")
        .order_by("-given_on", "-created_at", "-id")
    )


class ConsentList(ApiView):
    required_scope = Scope.READ_CONSENT

    @extend_schema(
        operation_id="consent_list",
        summary="Your agency's consent records, newest first",
        parameters=[ChildFilterSerializer, OpenApiParameter("page", int, description="Page number, from 1.")],
        responses={200: ConsentSerializer(many=True), **INVALID, **NOT_FOUND, **ERRORS},
    )
    def get(self, request):
        consents = _consents().visible_to(self.reader())
        child = _query(ChildFilterSerializer, request).get("child")
        if child is not None:
            consents = consents.filter(child_id=child)
        response, page = self.paginated(consents, ConsentSerializer)
        self.record_list(ConsentRecord, label="consent records", child=child, shown=len(page))
        return response


class ConsentDetail(ApiView):
    required_scope = Scope.READ_CONSENT

    @extend_schema(
        operation_id="consent_retrieve",
        summary="One consent record of your agency",
        responses={200: ConsentSerializer, **NOT_FOUND, **ERRORS},
    )
    def get(self, request, pk: int):
        record = get_visible_or_404(_consents(), self.reader(), pk=pk)
        response = Response(ConsentSerializer(record).data)
        self.record_view(record)
        return response


class ConsentFhir(ApiView):
    required_scope = Scope.READ_CONSENT
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        operation_id="consent_fhir",
        summary="One consent record as a FHIR R4 Consent",
        description="Validated against the FHIR R4 models before it is sent. The child is the contained "
        "Patient, identified by NHS number (https://fhir.nhs.uk/Id/nhs-number) where known.",
        responses={
            (200, "application/fhir+json"): OpenApiResponse(description="A FHIR R4 Consent resource."),
            **NOT_FOUND,
            **ERRORS,
        },
    )
    def get(self, request, pk: int):
        record = get_visible_or_404(_consents(), self.reader(), pk=pk)
        response = Response(fhir.consent_resource(record))
        self.record_view(record, format="fhir")
        return response
