"""一件事: one form and one set of materials; one child case per needed service, each handled by
its own department in parallel; the parent completes when every child is done."""

import pytest

from portal.models import RealNameLevel, StaffRole
from services import drafts, materials, workflow
from services.models import ApplicationStatus
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    ServiceCategoryFactory,
    ServiceHallFactory,
)
from tests.services.cases import PDF, staff
from tests.services.factories import (
    BundleFactory,
    BundleMemberFactory,
    MaterialFactory,
    ReviewStepFactory,
    ServiceFactory,
    field,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


@pytest.fixture
def bundle_world():
    return make_bundle_world()


def make_bundle_world():
    """A bundle of three required services and one optional one, each of its own department
    with its own reviewer, all taken in at one hall."""
    hall = ServiceHallFactory()
    clerk = staff(StaffRole.CLERK, hall=hall)
    bundle = BundleFactory()
    members = []
    for n, required in enumerate([True, True, True, False]):
        department, category = DepartmentFactory(), ServiceCategoryFactory()
        service = ServiceFactory(
            department=department,
            category=category,
            form_definition={"fields": [field("child_name"), field(f"extra_{n}", required=False)]},
        )
        service.halls.add(hall)
        MaterialFactory(service=service, key="birth-proof", name="出生医学证明")
        ReviewStepFactory(service=service, order=1)
        reviewer = staff(StaffRole.REVIEWER, department=department, categories=[category])
        BundleMemberFactory(bundle=bundle, service=service, required=required, order=n)
        members.append((service, reviewer))
    applicant = PersonFactory(realname_level=RealNameLevel.WINDOW).user
    return bundle, members, clerk, applicant


def _apply(bundle, applicant, choices):
    import io

    parent = drafts.start(by=applicant, bundle=bundle)
    drafts.save_answers(
        parent, by=applicant, answers={"child_name": "张小宝"}, bundle_choices=choices
    )
    requirement = materials.requirements_of(parent)[0]
    materials.attach_upload(parent, requirement, io.BytesIO(PDF), name="证明.pdf", by=applicant)
    return drafts.submit_draft(parent, by=applicant)


def test_a_bundle_fans_out_to_each_department_and_completes_when_all_are_done(bundle_world):
    bundle, members, clerk, applicant = bundle_world
    parent = _apply(bundle, applicant, choices=[])
    children = list(parent.children.order_by("pk"))
    assert [c.service for c in children] == [s for s, _r in members[:3]]  # optional one not chosen
    assert all(c.status == A.SUBMITTED for c in children)
    assert all(c.answers == {"child_name": "张小宝"} for c in children)
    assert all(c.materials.count() == 1 for c in children)  # one upload, shared
    reviewers = dict(members)
    for child in children:
        child = workflow.accept(child, by=clerk)
        child.refresh_from_db()
        assert child.assigned_to == reviewers[child.service]  # its own department's queue
        parent.refresh_from_db()
        assert parent.status == A.SUBMITTED
        workflow.approve(child, by=reviewers[child.service])
    parent.refresh_from_db()
    assert parent.status == A.COMPLETED
    assert parent.events.filter(action="close_bundle").count() == 1


def test_an_optional_service_is_included_when_chosen_and_a_refusal_still_closes_the_parent(
    bundle_world,
):
    bundle, members, clerk, applicant = bundle_world
    optional = members[3][0]
    parent = _apply(bundle, applicant, choices=[optional.code])
    children = list(parent.children.order_by("pk"))
    assert len(children) == 4
    workflow.refuse(children[0], by=clerk, reason="不在受理范围")
    for child in children[1:]:
        workflow.approve(workflow.accept(child, by=clerk), by=dict(members)[child.service])
    parent.refresh_from_db()
    assert parent.status == A.COMPLETED
    refused = parent.children.get(status=A.NOT_ACCEPTED)
    assert refused.status_reason == "不在受理范围"


def test_choosing_a_service_outside_the_bundle_is_refused(bundle_world):
    from portal.errors import Invalid

    bundle, _members, _clerk, applicant = bundle_world
    parent = drafts.start(by=applicant, bundle=bundle)
    with pytest.raises(Invalid):
        drafts.save_answers(parent, by=applicant, answers={}, bundle_choices=["NOT-A-MEMBER"])
