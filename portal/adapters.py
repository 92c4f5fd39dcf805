"""allauth customisation: mainland mobile numbers, SMS codes, sign-in guessing limits, audit."""

from __future__ import annotations

import contextlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from portal import audit, identity, signin_guard, sms
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
        return f"login:{_typed_login(credentials)}"

    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        # A password reset or change: the holder proved he controls the account, so guesses
        # at the old password no longer hold password sign-in back on new devices.
        super().set_password(user, password)
        assert isinstance(user, User)
        signin_guard.lift_account_ceiling([user.phone, user.email])

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Our guard replaces allauth's per-account lockout, which let anyone lock anyone out;
        # allauth's per-address limit across accounts (ACCOUNT_RATE_LIMITS) still applies,
        # except to the holder's own browser.
        self._signin_attempt = signin_guard.admit(
            request, login=_typed_login(credentials), client_ip=self.get_client_ip(request)
        )
        if self._signin_attempt.from_device:
            return
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            signin_guard.release(self._signin_attempt)
            raise

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        if user is not None:
            signin_guard.succeeded(self._signin_attempt)
        return user

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        if code == "too_many_login_attempts":  # allauth's per-address limit across accounts
            return signin_guard.source_refusal(settings.LOGIN_FAILED_WINDOW_SECONDS)
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
        signin_guard.failed(self._signin_attempt)

    def post_login(
        self,
        request: HttpRequest,
        user: AbstractBaseUser,
        *,
        email_verification: str,
        signal_kwargs: dict[str, Any] | None,
        email: str | None,
        signup: bool,
        redirect_url: str | None,
    ) -> HttpResponse:
        response = super().post_login(
            request,
            user,
            email_verification=email_verification,
            signal_kwargs=signal_kwargs,
            email=email,
            signup=signup,
            redirect_url=redirect_url,
        )
        assert isinstance(user, User)
        signin_guard.remember_device(request, response, [user.phone, user.email])
        return response


def _typed_login(credentials: dict[str, Any]) -> str:
    """The login as typed, normalised: a phone as E.164, an e-mail in lower case."""
    login = str(
        credentials.get("email") or credentials.get("phone") or credentials.get("username") or ""
    )
    if credentials.get("phone"):
        with contextlib.suppress(ValidationError):
            login = identity.normalise_phone(login)
    return login.lower()
