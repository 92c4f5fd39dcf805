"""The account part of the REST API. Views validate, call one function, and render."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from portal import organisations, realname
from portal.api.permissions import ViaSession, scoped
from portal.api.serializers import (
    MeSerializer,
    OrganisationCreateSerializer,
    OrganisationSerializer,
    PersonSerializer,
    RealNameSerializer,
)
from portal.auth import signed_in_user
from portal.models import User


@extend_schema(
    responses=MeSerializer,
    summary="The signed-in account, personal data masked",
    description=(
        "The calling person's account: e-mail, masked mobile number and, once declared, his "
        "legal name with a masked ID number and the level of real-name checking. Needs a "
        "person: his browser session, or his access token with the scope `profile`; a "
        "department client's token is refused (403)."
    ),
    extensions={"x-error-codes": {"403": ["insufficient_scope"]}},
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated & (ViaSession | scoped("profile"))])
def me(request: Request) -> Response:
    user = User.objects.select_related("person_profile").get(pk=signed_in_user(request).pk)
    return Response(MeSerializer(user).data)


@extend_schema(
    request=RealNameSerializer,
    responses={200: PersonSerializer},
    summary="Declare one's legal name and resident ID number",
    description=(
        "Records the signed-in person's legal name and resident ID number (checked for its "
        "form and check digit), answered masked. Browser session only. Declaring again "
        "replaces an unverified declaration; a verified one cannot be changed here (400)."
    ),
    examples=[
        OpenApiExample(
            "A declaration",
            value={"legal_name": "张三", "id_number": "11010519491231002X"},
            request_only=True,
        )
    ],
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated & ViaSession])
def declare_realname(request: Request) -> Response:
    serializer = RealNameSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    profile = realname.declare(
        signed_in_user(request), **serializer.validated_data, request=request
    )
    return Response(PersonSerializer(profile).data)


@extend_schema(
    methods=["GET"],
    responses=OrganisationSerializer(many=True),
    summary="Organisations the account may act for",
    description=(
        "The organisations the signed-in person may act for (as their representative or "
        "an authorised agent). Browser session only."
    ),
)
@extend_schema(
    methods=["POST"],
    request=OrganisationCreateSerializer,
    responses={201: OrganisationSerializer},
    summary="Register an organisation",
    description=(
        "Registers an organisation by its unified social credit code (checked for its form "
        "and check digit) with the signed-in person as its representative, to be confirmed "
        "at a counter. Browser session only. Not idempotent: a code registered already is "
        "refused (400)."
    ),
    examples=[
        OpenApiExample(
            "A company",
            value={"uscc": "91440101MA59TEST8X", "name": "广州示例科技有限公司"},
            request_only=True,
        )
    ],
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
