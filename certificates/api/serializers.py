from __future__ import annotations

from typing import Any

from rest_framework import serializers

from certificates.models import Certificate, CertificateType
from certificates.verification import Outcome, Result
from portal import identity
from portal.api.fields import ObjectField
from portal.models import Department


class CertificateSerializer(serializers.ModelSerializer):
    """A certificate as its holder or issuer sees it (holder code masked)."""

    type_code = serializers.CharField(source="type.code")
    type_name = serializers.CharField(source="type.name")
    issuer_code = serializers.CharField(source="issuer.code")
    issuer_name = serializers.CharField(source="issuer.name")
    status = serializers.SerializerMethodField()
    previous = serializers.CharField(
        source="previous.identifier",
        default=None,
        allow_null=True,
        help_text="The identifier of the version this one replaced; null for a first version.",
    )

    class Meta:
        model = Certificate
        fields = [
            "id",
            "identifier",
            "number",
            "type_code",
            "type_name",
            "holder_name",
            "holder_code_masked",
            "holder_code_type",
            "issuer_code",
            "issuer_name",
            "issued_on",
            "valid_from",
            "valid_until",
            "surface",
            "status",
            "version",
            "previous",
        ]

    def get_status(self, obj: Certificate) -> str:
        return obj.effective_status()


class IssueSerializer(serializers.Serializer):
    type_code = serializers.SlugRelatedField(
        slug_field="code", queryset=CertificateType.objects.all(), source="type"
    )
    issuer_code = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), source="issuer"
    )
    holder_name = serializers.CharField(max_length=200)
    holder_code = serializers.CharField(max_length=32)
    surface = ObjectField(child=serializers.CharField(max_length=500), required=False)
    number = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        allow_blank=True,
        help_text="The printed number, if the type has one; left out or empty: none.",
    )
    issued_on = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False)
    idempotency_key = serializers.CharField(max_length=100)


class ReasonSerializer(serializers.Serializer):
    """Revoking or cancelling: the reason is recorded with the change and is required."""

    reason = serializers.CharField(max_length=200)


class RenewSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    surface = ObjectField(child=serializers.CharField(max_length=500), required=False)
    valid_until = serializers.DateField(required=False)
    idempotency_key = serializers.CharField(max_length=100)


class DocumentSerializer(serializers.Serializer):
    document = serializers.CharField(max_length=16384, trim_whitespace=True)


class VerifiedCertificateSerializer(serializers.Serializer):
    """The masked minimum anyone may see of a genuine certificate."""

    identifier = serializers.CharField()
    type_code = serializers.CharField()
    type_name = serializers.CharField()
    holder_name = serializers.CharField(help_text="masked")
    holder_code = serializers.CharField(help_text="masked")
    issuer_code = serializers.CharField()
    issuer_name = serializers.CharField()
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="null: long-term")
    version = serializers.IntegerField()
    key_id = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    """The answer of every verification endpoint."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    genuine = serializers.BooleanField()
    valid = serializers.BooleanField()
    message = serializers.CharField()
    certificate = VerifiedCertificateSerializer(required=False)


def verification(result: Result) -> dict[str, Any]:
    """What anyone may learn: genuine, status, masked holder, issuer, validity."""
    body: dict[str, Any] = {
        "outcome": result.outcome.value,
        "genuine": result.genuine,
        "valid": result.is_valid,
        "message": result.message,
    }
    certificate = result.certificate
    if certificate is not None and result.genuine:
        body["certificate"] = {
            "identifier": certificate.identifier,
            "type_code": certificate.type.code,
            "type_name": certificate.type.name,
            "holder_name": identity.mask_name(certificate.holder_name),
            "holder_code": certificate.holder_code_masked,
            "issuer_code": certificate.issuer.code,
            "issuer_name": certificate.issuer.name,
            "issued_on": certificate.issued_on.isoformat(),
            "valid_from": certificate.valid_from.isoformat(),
            "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
            "version": certificate.version,
            "key_id": certificate.key.kid,
        }
    return body
