"""Certificate types declared as the demo declares them (certificates/demo.py)."""

from certificates import demo
from certificates.models import CertificateType, HolderKind, ValidityRule
from tests.factories import DepartmentFactory


def demo_type(issuer, name="结婚证"):
    """The demo's type of that name, issued by issuer; its surface fields as the demo has them."""
    fields = next(row[8] for row in demo.TYPES if row[2] == name)
    definer = DepartmentFactory()
    ctype = CertificateType.objects.create(
        code=f"{definer.code}001",
        name=name,
        defining_department=definer,
        holder_kind=HolderKind.PERSON,
        fields=fields,
        validity_rule=ValidityRule.LONG_TERM,
    )
    ctype.issuing_departments.add(issuer)
    return ctype
