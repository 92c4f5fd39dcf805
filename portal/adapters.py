"""allauth customisation: mainland mobile numbers, SMS codes, lockout messages, sign-in audit."""

from __future__ import annotations

import contextlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal import audit, identity, sms
from portal.models import AuditAction, User


class MainlandPhoneField(PhoneField):
    """Accepts 13800138000, 138 0013 8000 or +8613800138000 and cleans to E.164."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["validators"] = []
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.label = _("Mobile number")
        self.widget.attrs.update({"placeholder": "13800138000", "inputmode": "tel"})

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return identity.normalise_phone(value)


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs: Any) -> forms.Field:
        return MainlandPhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return identity.normalise_phone(phone)

    def set_phone(self, user: AbstractBaseUser, phone: str, verified: bool) -> None:
        assert isinstance(user, User)
        user.phone, user.phone_verified = phone, verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: AbstractBaseUser) -> tuple[str, bool] | None:
        assert isinstance(user, User)
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: AbstractBaseUser, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str) -> AbstractBaseUser | None:
        try:
            phone = identity.normalise_phone(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone).order_by("-phone_verified", "pk").first()

    def send_verification_code_sms(
        self, user: AbstractBaseUser, phone: str, code: str, **kwargs: Any
    ) -> None:
        sms.queue(
            phone,
            _(
                "[One Window] Your verification code is %(code)s. It is valid for "
                "15 minutes; do not share it with anyone."
            )
            % {"code": code},
        )

    def send_account_already_exists_sms(self, phone: str) -> None:
        sms.queue(
            phone,
            _(
                "[One Window] Someone tried to sign up with this number, which "
                "already has an account. Sign in or reset your password instead."
            ),
        )

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys failed logins by e-mail or username only; a phone login must count too.
        login = (
            credentials.get("email")
            or credentials.get("phone")
            or credentials.get("username")
            or ""
        )
        if credentials.get("phone"):
            with contextlib.suppress(ValidationError):
                login = identity.normalise_phone(login)
        return f"login:{login.lower()}"

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        if code == "too_many_login_attempts":
            minutes = max(1, settings.LOGIN_FAILED_WINDOW_SECONDS // 60)
            return ValidationError(
                _(
                    "Too many failed sign-in attempts. This account is locked for now; try "
                    "again in %(minutes)d minutes, or reset your password."
                )
                % {"minutes": minutes},
                code=code,
            )
        return super().validation_error(code, *args)

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        assert isinstance(user, User)
        audit.record(AuditAction.SIGN_IN, actor=user, subject=user, request=request)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        # The typed login may be a phone or someone else's e-mail: never store it in clear.
        audit.record(
            AuditAction.SIGN_IN_FAILED,
            actor=None,
            request=request,
            login_hash=identity.blind_index(
                str(credentials.get("email") or credentials.get("phone") or ""), purpose="login"
            ),
        )
