"""Typing help: the signed-in user of a request behind login_required or IsAuthenticated."""

from typing import cast

from django.http import HttpRequest
from rest_framework.request import Request

from portal.models import User


def signed_in_user(request: HttpRequest | Request) -> User:
    return cast(User, request.user)
