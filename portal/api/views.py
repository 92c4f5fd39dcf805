"""The account part of the REST API. Views validate, call one function, and render."""

from __future__ import annotations

from allauth.idp.oidc.contrib.rest_framework.permissions import TokenPermission
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from portal import organisations, realname
from portal.api.permissions import ViaSession
from portal.api.serializers import (
    MeSerializer,
    OrganisationCreateSerializer,
    OrganisationSerializer,
    PersonSerializer,
    RealNameSerializer,
)
from portal.auth import signed_in_user
from portal.models import User


@extend_schema(responses=MeSerializer, summary="The signed-in account, personal data masked")
@api_view(["GET"])
@permission_classes(
    [permissions.IsAuthenticated & (ViaSession | TokenPermission.has_scope("profile"))]
)
def me(request: Request) -> Response:
    user = User.objects.select_related("person_profile").get(pk=signed_in_user(request).pk)
    return Response(MeSerializer(user).data)


@extend_schema(
    request=RealNameSerializer,
    responses={200: PersonSerializer},
    summary="Declare one's legal name and resident ID number",
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated & ViaSession])
def declare_realname(request: Request) -> Response:
    serializer = RealNameSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    profile = realname.declare(signed_in_user(request), **serializer.validated_data)
    return Response(PersonSerializer(profile).data)


@extend_schema(
    methods=["GET"],
    responses=OrganisationSerializer(many=True),
    summary="Organisations the account may act for",
)
@extend_schema(
    methods=["POST"],
    request=OrganisationCreateSerializer,
    responses={201: OrganisationSerializer},
    summary="Register an organisation",
)
@api_view(["GET", "POST"])
@permission_classes([permissions.IsAuthenticated & ViaSession])
def organisation_list(request: Request) -> Response:
    if request.method == "GET":
        orgs = organisations.for_user(signed_in_user(request))
        return Response(OrganisationSerializer(orgs, many=True).data)
    serializer = OrganisationCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    org = organisations.register(signed_in_user(request), **serializer.validated_data)
    return Response(OrganisationSerializer(org).data, status=status.HTTP_201_CREATED)
