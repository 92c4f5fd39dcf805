"""Factories with traits: PersonFactory(verified=True), StaffFactory(role=...)."""

from __future__ import annotations

import itertools
import time

import factory
from stdnum.cn import ric, uscc

from portal.models import (
    Department,
    PersonProfile,
    RealNameLevel,
    ServiceCategory,
    ServiceHall,
    StaffAssignment,
    StaffRole,
    User,
)

PASSWORD = "Correct-Horse-9"
_seq = itertools.count(1)


def make_id_number(n: int | None = None, birth: str = "19900307") -> str:
    """A well-formed resident ID number, unique per call."""
    n = next(_seq) if n is None else n
    body = f"440106{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    body = f"91440101MA{n:07d}"
    return body + uscc.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    phone_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    """A person profile with an encrypted ID number; ``verified=True`` for window level."""

    class Meta:
        model = PersonProfile

    class Params:
        verified = factory.Trait(realname_level=RealNameLevel.WINDOW)

    user = factory.SubFactory(UserFactory)
    legal_name = "张小明"
    realname_level = RealNameLevel.SELF_DECLARED
    id_number = factory.LazyFunction(make_id_number)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        number = kwargs.pop("id_number")
        obj = model_class(*args, **kwargs)
        obj.set_id_number(number)
        obj.save()
        return obj


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.LazyFunction(make_uscc)
    name = factory.Sequence(lambda n: f"测试局{n}")


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"事项分类{n}")


class ServiceHallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceHall

    name = factory.Sequence(lambda n: f"政务服务中心{n}")
    address = "广州市天河区天润路333号"


def make_staff(role: StaffRole, *, mfa: bool = False, **user_kwargs) -> User:
    """A staff member with one role, granted through portal.roles like the admin does."""
    from portal import roles

    user = UserFactory(**user_kwargs)
    assignment = StaffAssignment(user=user, role=role)
    if role == StaffRole.CLERK:
        assignment.service_hall = ServiceHallFactory()
    elif role in (StaffRole.REVIEWER, StaffRole.DEPARTMENT_ADMIN):
        assignment.department = DepartmentFactory()
    categories = [ServiceCategoryFactory()] if role == StaffRole.REVIEWER else None
    roles.grant(assignment, by=None, categories=categories)
    if mfa:
        activate_totp(user)
    user.refresh_from_db()
    return user


TOTP_PERIOD = 30


def totp_code(secret: str) -> str:
    """The current authenticator code, never one about to expire (allauth allows no drift)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % TOTP_PERIOD > TOTP_PERIOD - 5:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.1)  # at most ~5 s
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


def activate_totp(user: User) -> str:
    """Give the user a TOTP authenticator; returns the secret to compute codes from."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
