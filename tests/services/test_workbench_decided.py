"""A reviewer finds the cases he decided ("Decided by me"): passed on, approved or denied,
whatever became of them since, to read and not to act on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import StaffRole
from services import workflow
from services.models import Application, ApplicationStatus
from tests.factories import DepartmentFactory
from tests.services.cases import staff, world
from tests.services.review_cases import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False


def decided_tab(client):
    return client.get(reverse("services:workbench"), {"tab": "decided"})


def fresh(app: Application) -> Application:
    return Application.objects.get(pk=app.pk)


def test_the_cases_he_approved_or_denied_are_under_decided_by_me_and_nothing_else(client):
    w = world()
    approved = workflow.approve(fresh(w.accepted()), by=w.reviewer)
    denied = workflow.deny(fresh(w.accepted()), by=w.reviewer, reason="材料不全")
    waiting = w.accepted()  # in his queue, not decided
    by_admin = workflow.deny(fresh(w.accepted()), by=w.department_admin, reason="重复申请")
    sign_in(client, w.reviewer)

    response = decided_tab(client)

    assert response.status_code == 200
    listed = [row.case.pk for row in response.context["rows"]]
    assert listed == [denied.pk, approved.pk]  # the latest decision first
    html = response.content.decode()
    assert str(waiting) not in html and str(by_admin) not in html
    assert "Approved" in html and "Denied" in html
    # The list offers nothing to do: no claim or release.
    for case in (approved, denied):
        assert reverse("services:workbench_claim", args=[case.pk]) not in html
        assert reverse("services:workbench_release", args=[case.pk]) not in html


def test_a_case_he_passed_on_to_another_department_can_be_read_and_not_claimed(client):
    w = world(steps=2)
    second_department = DepartmentFactory()
    second_step = w.service.review_steps.get(order=2)
    second_step.department = second_department
    second_step.save()
    passed = workflow.approve(fresh(w.accepted()), by=w.reviewer)
    assert passed.status == A.IN_REVIEW and passed.review_step == second_step
    sign_in(client, w.reviewer)

    listed = decided_tab(client)
    assert [row.case.pk for row in listed.context["rows"]] == [passed.pk]
    assert "Passed to the next step" in listed.content.decode()

    page = client.get(reverse("services:workbench_case", args=[passed.pk]))
    assert page.status_code == 200
    assert page.context["may_claim"] is False
    assert page.context["may_decide"] is False
    assert page.context["may_release"] is False
    html = page.content.decode()
    assert reverse("services:workbench_claim", args=[passed.pk]) not in html
    assert reverse("services:workbench_approve", args=[passed.pk]) not in html


def test_another_reviewer_of_the_queue_does_not_see_his_decisions(client):
    w = world()
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    approved = workflow.approve(fresh(w.accepted()), by=w.reviewer)
    sign_in(client, colleague)

    assert list(decided_tab(client).context["rows"]) == []
    page = client.get(reverse("services:workbench_case", args=[approved.pk]))
    assert page.status_code == 404


def test_the_decided_list_costs_the_same_queries_for_one_case_or_a_page(
    client, django_assert_max_num_queries
):
    w = world()
    sign_in(client, w.reviewer)
    workflow.approve(fresh(w.accepted()), by=w.reviewer)
    with django_assert_max_num_queries(15) as one:
        decided_tab(client)
    for _ in range(22):
        workflow.approve(fresh(w.accepted()), by=w.reviewer)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = decided_tab(client)
    assert len(response.context["rows"]) == 20
    assert response.context["page"].paginator.count == 23
