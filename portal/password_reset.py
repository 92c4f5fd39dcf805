"""Password reset by an SMS code to a verified mobile number, and a new password after a code.

Built on allauth's reset-by-code process: the same session state, code format, lifetime and
attempt limit, confirmed and completed by allauth's own views. allauth sends reset codes by
e-mail only, and e-mail is optional here.
"""

from __future__ import annotations

import time

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.password_reset_by_code import (
    PasswordResetVerificationProcess,
)
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal import sms
from portal.models import User


def start_by_phone(request: HttpRequest, phone: str) -> None:
    """Text a reset code to the account whose verified number this is; to nobody otherwise.

    The caller answers alike either way: the process for an unknown number holds no code,
    so every code typed for it is wrong, exactly as allauth does for an unknown e-mail.
    """
    user = User.objects.filter(phone=phone, phone_verified=True, is_active=True).first()
    state = PasswordResetVerificationProcess.initial_state(user, phone=phone)
    # allauth's views read state["email"]; "" matches no address, so none is "verified".
    state["email"] = ""
    process = PasswordResetVerificationProcess(request, state=state, user=user)
    if user is not None:
        state["code"] = get_adapter(request).generate_password_reset_code()
        sms.queue(
            phone,
            _(
                "[One Window] Your password reset code is %(code)s. It is valid for "
                "%(minutes)s minutes; do not share it with anyone."
            )
            % {"code": state["code"], "minutes": app_settings.PASSWORD_RESET_BY_CODE_TIMEOUT // 60},
        )
    process.persist()


def pending_phone(request: HttpRequest) -> str:
    """The number a reset code was sent to in this session, if the reset is by phone."""
    state = request.session.get("account_password_reset_verification") or {}
    return str(state.get("phone") or "")


def signed_in_by_fresh_code(request: HttpRequest) -> bool:
    """Whether the last authentication of this session was a code, within the timeout."""
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    if not records:
        return False
    last = records[-1]
    return (
        last.get("method") == "code"
        and time.time() - float(last.get("at", 0)) <= app_settings.REAUTHENTICATION_TIMEOUT
    )
