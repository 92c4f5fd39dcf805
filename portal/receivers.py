"""Audit rows for events that allauth reports only by signal."""

from functools import partial
from typing import Any

from allauth.account.signals import user_logged_out
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset

from portal import audit
from portal.models import AuditAction


def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(AuditAction.SIGN_OUT, actor=user, subject=user, request=request)


def _mfa_changed(
    change: str, sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit.record(
        AuditAction.MFA_CHANGED,
        actor=user,
        subject=user,
        request=request,
        change=change,
        authenticator_type=authenticator.type,
    )


user_logged_out.connect(_signed_out, dispatch_uid="portal_signed_out")
for _signal, _change in (
    (authenticator_added, "added"),
    (authenticator_removed, "removed"),
    (authenticator_reset, "reset"),
):
    _signal.connect(
        partial(_mfa_changed, _change), weak=False, dispatch_uid=f"portal_mfa_{_change}"
    )
