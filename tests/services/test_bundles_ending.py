"""How a 一件事 parent case ends tells the truth: completed only if a service was granted,
denied (with each service's own reason kept) if none was, withdrawn if every one was."""

import pytest

from portal.models import Notification
from services import workflow
from services.models import ApplicationStatus
from tests.services.test_bundles_lifecycle import _apply, make_bundle_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


@pytest.fixture
def bundle_world():
    return make_bundle_world()


def test_a_bundle_whose_every_service_is_refused_or_denied_ends_denied_not_completed(
    bundle_world, english
):
    bundle, members, clerk, applicant = bundle_world
    reviewers = dict(members)
    parent = _apply(bundle, applicant, choices=[])
    first, *others = parent.children.order_by("pk")
    workflow.refuse(first, by=clerk, reason="不在受理范围")
    for child in others:
        workflow.deny(
            workflow.accept(child, by=clerk), by=reviewers[child.service], reason="不符合条件"
        )
    parent.refresh_from_db()
    assert parent.status == A.DENIED
    assert parent.completed_at is None and parent.decided_at is not None
    assert parent.status_reason == "No service of the bundle was granted."
    assert parent.events.filter(action="close_bundle_ungranted").count() == 1
    assert sorted(parent.children.values_list("status_reason", flat=True)) == [
        "不在受理范围",
        "不符合条件",
        "不符合条件",
    ]
    page = _client(applicant).get(f"/applications/{parent.pk}/").content.decode()
    assert "不在受理范围" in page and "不符合条件" in page
    told = Notification.objects.filter(user=applicant).order_by("-id").first()
    assert told is not None and told.params.get("title") == parent.title()


def test_one_granted_service_is_enough_for_the_bundle_to_complete(bundle_world):
    bundle, members, clerk, applicant = bundle_world
    reviewers = dict(members)
    parent = _apply(bundle, applicant, choices=[])
    first, *others = parent.children.order_by("pk")
    workflow.approve(workflow.accept(first, by=clerk), by=reviewers[first.service])
    for child in others:
        workflow.refuse(child, by=clerk, reason="材料不全")
    parent.refresh_from_db()
    assert parent.status == A.COMPLETED


def test_a_bundle_whose_services_were_each_withdrawn_ends_withdrawn(bundle_world):
    bundle, _members, _clerk, applicant = bundle_world
    parent = _apply(bundle, applicant, choices=[])
    for child in parent.children.order_by("pk"):
        workflow.withdraw(child, by=applicant)
    parent.refresh_from_db()
    assert parent.status == A.WITHDRAWN
    assert parent.events.filter(action="close_bundle_withdrawn").count() == 1


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
