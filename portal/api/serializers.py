from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal import identity
from portal.models import Organisation, User


class PersonSerializer(serializers.Serializer):
    legal_name = serializers.CharField()
    id_number_masked = serializers.CharField()
    realname_level = serializers.CharField()
    realname_verified_at = serializers.DateTimeField(allow_null=True)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "uscc", "name"]


class MeSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="masked_phone", read_only=True)
    person = PersonSerializer(
        source="person_profile", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = User
        fields = ["id", "email", "phone", "phone_verified", "person"]


class RealNameSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=24, write_only=True)

    def validate_legal_name(self, value: str) -> str:
        return identity.validate_legal_name(value)

    def validate_id_number(self, value: str) -> str:
        return identity.validate_id_number(value)


class OrganisationCreateSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=24, help_text=_("Unified social credit code"))
    name = serializers.CharField(max_length=200)

    def validate_uscc(self, value: str) -> str:
        return identity.validate_uscc(value)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return OrganisationSerializer(instance).data
