"""Races on the real database: many threads, each with its own PostgreSQL connection.

Submitting with one idempotency key many times at once makes one application; two reviewers
approving one step at once, or an approval racing the applicant's withdrawal, leave exactly
one winner, one result and at most one certificate. The loser is refused in words (409/403),
never with a database error. Races are made certain, not hoped for: the test holds the
application's row lock until every contender is waiting on it, then lets them go together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from certificates.models import Certificate
from portal.errors import Conflict, IllegalMove, NotAllowed, Refusal
from services import drafts, materials, workflow
from services.models import Application, ApplicationEvent
from services.models.applications import ApplicationStatus
from tests.polling import wait_for
from tests.services.cases import World, certificate_world, world
from tests.services.review_cases import id_card_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBMITS = 100


@pytest.fixture(autouse=True)
def _postgresql(celery_broker_url, english) -> None:
    """Real row locks and unique indexes; tasks published on commit go to this process's
    own broker database (no worker takes them: these tests are about the database)."""
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL (set DATABASE_URL)")


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread (and connection), released at once; each result is
    the call's return value or the exception it raised."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except Exception as exc:  # the test reads what each contender got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a contender never finished"
    return results


def lock_waiters() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL answers from a snapshot taken at the first read.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@contextmanager
def held(application: Application) -> Iterator[None]:
    """Hold the application's row lock (as a slow move would) until the block ends."""
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=application.pk)
        yield


def race(application: Application, calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call while the row is locked, wait until all of them wait for the lock,
    then release it: they contend for the row at the same instant."""
    results: list[Any] = []
    runner = threading.Thread(target=lambda: results.extend(run_together(calls)))
    with held(application):
        runner.start()
        wait_for(
            lambda: lock_waiters() >= len(calls),
            timeout=20,
            what=f"{len(calls)} contenders to wait for the application's lock",
        )
    runner.join(timeout=60)
    assert len(results) == len(calls)
    return results


# --- one idempotency key, many requests ----------------------------------------------------


def with_id_card(w: World):
    """The applicant's identity card replaces the copy (材料免提交)."""
    certificate = id_card_for(w)
    w.material.certificate_type = certificate.type
    w.material.save()
    return certificate


def submit_once(w: World, certificate, key: str, answers: dict) -> drafts.Submitted:
    def build() -> Application:
        draft = drafts.start(by=w.applicant, service=w.service)
        drafts.save_answers(draft, by=w.applicant, answers=answers)
        materials.attach_certificate(draft, w.material, certificate, by=w.applicant)
        return drafts.submit_draft(draft, by=w.applicant)

    payload = {"service": w.service.code, "answers": answers, "materials": [certificate.pk]}
    return drafts.submit_once(by=w.applicant, key=key, payload=payload, build=build)


def test_a_hundred_submits_with_one_key_make_one_application():
    w = world()
    certificate = with_id_card(w)
    answers = {"applicant_name": "张小明"}
    # A hundred threads at once, each opening its own connection. The server allows
    # max_connections in all, shared with the other test process and its Celery worker.
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        room = (int(cursor.fetchone()[0]) - 30) // 2  # both test processes may be at it
    gate = threading.BoundedSemaphore(min(SUBMITS, room))

    def submit() -> drafts.Submitted:
        with gate:
            try:
                return submit_once(w, certificate, "key-1", answers)
            finally:
                connections.close_all()

    results = run_together([submit] * SUBMITS)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert len({r.application.pk for r in results}) == 1
    assert [r.created for r in results].count(True) == 1
    [application] = Application.objects.filter(applicant=w.applicant, status="submitted")
    assert application.pk == results[0].application.pk
    assert application.materials.count() == 1
    assert ApplicationEvent.objects.filter(application=application, action="submit").count() == 1
    # Drafts built by the losers were rolled back with their transactions.
    assert Application.objects.filter(applicant=w.applicant).count() == 1

    with pytest.raises(Conflict) as refused:
        submit_once(w, certificate, "key-1", {"applicant_name": "李小红"})
    assert refused.value.status == 409
    assert "different request" in refused.value.message
    assert Application.objects.filter(applicant=w.applicant).count() == 1


def test_a_hundred_api_submits_with_one_key_answer_the_same_application(client):
    w = world()
    certificate = with_id_card(w)
    client.force_login(w.applicant)
    session = client.cookies["sessionid"].value
    body = {
        "service": w.service.code,
        "answers": {"applicant_name": "张小明"},
        "materials": [{"requirement": w.material.key, "certificate": certificate.identifier}],
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        room = (int(cursor.fetchone()[0]) - 30) // 2  # both test processes may be at it
    gate = threading.BoundedSemaphore(min(SUBMITS, room))

    def post(data: dict) -> Any:
        browser = Client()
        browser.cookies["sessionid"] = session
        with gate:
            try:
                return browser.post(
                    "/api/v1/applications/",
                    data,
                    content_type="application/json",
                    headers={"Idempotency-Key": "key-1"},
                )
            finally:
                connections.close_all()

    answers = run_together([lambda: post(body)] * SUBMITS)

    assert sorted({r.status_code for r in answers}) == [200, 201], answers[0].content
    assert [r.status_code for r in answers].count(201) == 1
    assert len({r.json()["id"] for r in answers}) == 1
    assert Application.objects.filter(applicant=w.applicant).count() == 1

    other = post({**body, "answers": {"applicant_name": "李小红"}})
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    assert Application.objects.filter(applicant=w.applicant).count() == 1


# --- two moves on one case at once ---------------------------------------------------------


def issued_certificates(w: World) -> int:
    return Certificate.objects.filter(type=w.service.result_certificate_type).count()


def test_two_reviewers_approving_one_step_at_once_issue_one_certificate():
    w = certificate_world()
    application = w.accepted()
    from services import routing

    routing.route(application.pk)  # the case is the reviewer's; his administrator may decide too

    results = race(
        application,
        [
            lambda: workflow.approve(application, by=w.reviewer, opinion="同意"),
            lambda: workflow.approve(application, by=w.department_admin, opinion="同意"),
        ],
    )

    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if not isinstance(r, Application)]
    assert len(winners) == 1, results
    [refusal] = losers
    assert isinstance(refusal, IllegalMove), repr(refusal)
    assert refusal.status == 409
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert application.result_certificate is not None
    assert issued_certificates(w) == 1
    actions = list(
        ApplicationEvent.objects.filter(application=application).values_list("action", flat=True)
    )
    assert actions.count("approve") == 1
    assert actions.count("issue_result") == 1


def test_approval_racing_withdrawal_leaves_one_of_them():
    w = certificate_world()
    application = w.accepted()
    from services import routing

    routing.route(application.pk)

    results = race(
        application,
        [
            lambda: workflow.approve(application, by=w.reviewer, opinion="同意"),
            lambda: workflow.withdraw(application, by=w.applicant, reason="不办了"),
        ],
    )

    approved, withdrawn = results
    application.refresh_from_db()
    actions = list(
        ApplicationEvent.objects.filter(application=application).values_list("action", flat=True)
    )
    if isinstance(approved, Application):
        assert isinstance(withdrawn, IllegalMove), repr(withdrawn)
        assert application.status == ApplicationStatus.COMPLETED
        assert issued_certificates(w) == 1
        assert "withdraw" not in actions
    else:
        assert isinstance(approved, (IllegalMove, NotAllowed)), repr(approved)
        assert isinstance(withdrawn, Application), repr(withdrawn)
        assert application.status == ApplicationStatus.WITHDRAWN
        assert issued_certificates(w) == 0
        assert "approve" not in actions and "issue_result" not in actions
    loser = withdrawn if isinstance(approved, Application) else approved
    assert isinstance(loser, Refusal) and loser.status in (403, 409)
