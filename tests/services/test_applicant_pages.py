"""The applicant's pages: apply online, 我的办件, one application, supplement, withdraw, the
public progress page and the notifications list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import notifications
from portal.models import Notification, Organisation
from portal.organisations import ACTING_SESSION_KEY
from services import drafts, workflow
from services.models import Application, ApplicationStatus
from services.models.applications import Material, MaterialSource
from services.models.catalogue import ServiceResult
from tests.factories import PersonFactory, make_uscc
from tests.services.applicant_cases import two_materials
from tests.services.cases import PDF, at, attach_pdf, certificate_world, freeze, world
from tests.services.factories import (
    BundleFactory,
    BundleMemberFactory,
    MaterialFactory,
    ServiceFactory,
    field,
)

pytestmark = pytest.mark.django_db
A = ApplicationStatus


def pdf(name: str = "photo.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def start(client, service) -> Application:
    response = client.post(reverse("services:apply", args=[service.code]), {"token": "t1"})
    assert response.status_code == 302, response.content
    return Application.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


# --- Apply online -------------------------------------------------------------------------


def test_the_guide_links_to_apply_online_and_one_click_or_two_start_one_draft(client):
    w = world()
    guide = client.get(reverse("services:service_detail", args=[w.service.code]))
    apply_url = reverse("services:apply", args=[w.service.code])
    assert f'href="{apply_url}"' in guide.content.decode()

    assert client.get(apply_url)["Location"].startswith("/accounts/login/")
    client.force_login(w.applicant)
    page = client.get(apply_url)
    assert "You apply in your own name." in page.content.decode()
    first = client.post(apply_url, {"token": "same"})
    again = client.post(apply_url, {"token": "same"})  # a double click
    assert first["Location"] == again["Location"]
    draft = Application.objects.get(applicant=w.applicant)
    assert draft.status == A.DRAFT
    assert first["Location"] == reverse("services:application_edit", args=[draft.pk])


def test_an_organisations_service_is_applied_for_on_behalf_of_the_acting_organisation(client):
    w = world()
    w.service.applicant_kind = "organisation"
    w.service.save()
    organisation = Organisation.objects.create(
        uscc=make_uscc(), name="广州某某有限公司", legal_representative=w.applicant
    )
    client.force_login(w.applicant)
    apply_url = reverse("services:apply", args=[w.service.code])
    refused = client.post(apply_url, {"token": "a"})
    assert refused.status_code == 400
    assert "Choose the organisation you act for" in refused.content.decode()
    assert not Application.objects.exists()

    session = client.session
    session[ACTING_SESSION_KEY] = organisation.pk
    session.save()
    assert "You apply on behalf of 广州某某有限公司." in client.get(apply_url).content.decode()
    client.post(apply_url, {"token": "b"})
    assert Application.objects.get().organisation == organisation


def test_a_citizen_uploads_one_material_and_hands_in_his_e_certificate_for_the_other(client):
    t = two_materials()
    client.force_login(t.w.applicant)
    draft = start(client, t.w.service)
    edit_url = reverse("services:application_edit", args=[draft.pk])
    page = client.get(edit_url).content.decode()
    assert "Accepted: PDF,JPG,PNG, up to 10 MB." in page
    assert "Use my e-certificate: 居民身份证" in page

    response = client.post(
        edit_url,
        {
            "applicant_name": "张小明",
            f"file-{t.photo.pk}": pdf(),
            f"certificate-{t.id_card.pk}": str(t.certificate.pk),
            "_do": "submit",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("services:application_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == A.SUBMITTED
    assert draft.answers == {"applicant_name": "张小明"}
    handed_in = {m.requirement_id: m for m in draft.materials.all()}
    assert handed_in[t.photo.pk].source == MaterialSource.UPLOAD
    assert handed_in[t.photo.pk].file_name == "photo.pdf"
    by_certificate = handed_in[t.id_card.pk]
    assert by_certificate.source == MaterialSource.CERTIFICATE
    assert by_certificate.certificate == t.certificate
    assert by_certificate.grant.case_reference == draft.reference
    detail = client.get(response["Location"]).content.decode()
    assert "Your application has been handed in." in detail
    assert "e-certificate “居民身份证” instead of a copy" in detail


def test_submitting_an_incomplete_draft_lists_every_missing_answer_and_material_at_once(client):
    t = two_materials()
    client.force_login(t.w.applicant)
    draft = start(client, t.w.service)
    response = client.post(reverse("services:application_edit", args=[draft.pk]), {"_do": "submit"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There are 3 problems to fix" in body
    assert 'href="#id_applicant_name"' in body
    assert f'href="#material-{t.photo.pk}"' in body
    assert f'href="#material-{t.id_card.pk}"' in body
    assert 'id="id_applicant_name_error"' in body
    draft.refresh_from_db()
    assert draft.status == A.DRAFT


def test_saving_keeps_the_draft_and_my_applications_leads_back_to_it(client):
    w = world()
    client.force_login(w.applicant)
    draft = start(client, w.service)
    edit_url = reverse("services:application_edit", args=[draft.pk])
    response = client.post(edit_url, {"applicant_name": "张小明", "_do": "save"})
    assert response["Location"] == edit_url
    draft.refresh_from_db()
    assert (draft.status, draft.answers) == (A.DRAFT, {"applicant_name": "张小明"})
    assert 'value="张小明"' in client.get(edit_url).content.decode()
    mine = client.get(reverse("services:my_applications")).content.decode()
    assert f'href="{edit_url}"' in mine
    assert "Finish the form and hand it in" in mine


def test_a_double_click_or_the_back_button_on_submit_makes_one_case(client):
    w = world()
    client.force_login(w.applicant)
    draft = start(client, w.service)
    edit_url = reverse("services:application_edit", args=[draft.pk])
    post = {"applicant_name": "张小明", "_do": "submit"}
    first = client.post(edit_url, {**post, f"file-{w.material.pk}": pdf()})
    again = client.post(edit_url, {**post, f"file-{w.material.pk}": pdf()})
    assert first["Location"] == again["Location"]
    assert Application.objects.filter(applicant=w.applicant).count() == 1
    assert Application.objects.get().events.filter(action="submit").count() == 1
    assert "already been handed in" in client.get(again["Location"]).content.decode()


def test_an_upload_that_lies_about_its_type_is_refused_beside_its_material(client):
    w = world()
    client.force_login(w.applicant)
    draft = start(client, w.service)
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("services:application_edit", args=[draft.pk]),
        {"applicant_name": "张小明", f"file-{w.material.pk}": fake, "_do": "submit"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This file is not one of the accepted types (PDF, JPG, PNG)." in body
    assert f'href="#material-{w.material.pk}"' in body
    assert not Material.objects.exists()
    draft.refresh_from_db()
    assert draft.status == A.DRAFT


def test_a_certificate_he_does_not_hold_cannot_be_chosen(client):
    t = two_materials()
    other = PersonFactory(verified=True).user
    client.force_login(other)
    draft = start(client, t.w.service)
    response = client.post(
        reverse("services:application_edit", args=[draft.pk]),
        {f"certificate-{t.id_card.pk}": str(t.certificate.pk), "_do": "save"},
    )
    assert response.status_code == 400
    assert "Choose one of the e-certificates offered." in response.content.decode()
    assert not Material.objects.exists()


# --- 我的办件 -----------------------------------------------------------------------------


def test_my_applications_shows_status_number_days_left_and_filters(client):
    w = world()
    accepted = w.accepted()
    draft = w.draft()
    client.force_login(w.applicant)
    response = client.get(reverse("services:my_applications"))
    rows = [app for app, _left, _next in response.context["rows"]]
    assert rows == [draft, accepted]  # newest first
    body = response.content.decode()
    assert accepted.acceptance_number in body
    assert "Working days left" in body
    filtered = client.get(reverse("services:my_applications"), {"status": "in_review"})
    assert [app for app, _l, _n in filtered.context["rows"]] == [accepted]
    assert client.get(reverse("services:my_applications"), {"status": "nope"}).status_code == 200


def test_my_applications_takes_the_same_queries_for_1_or_25_cases(client):
    w = world()
    client.force_login(w.applicant)
    counts = []
    for total in (1, 25):
        # Cases in review: each one's days left come from the calendar, in one query for all.
        while Application.objects.filter(applicant=w.applicant).count() < total:
            w.accepted()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("services:my_applications"))
        assert len(response.context["rows"]) == min(total, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- One application ----------------------------------------------------------------------


def test_another_citizen_cannot_see_change_or_withdraw_my_application(client, settings):
    settings.STAFF_MFA_REQUIRED = False  # the clerk's second factor: test_review_findings
    w = world()
    app = w.submitted()
    client.force_login(w.stranger)
    for name in ("application_detail", "application_edit", "application_withdraw"):
        assert client.get(reverse(f"services:{name}", args=[app.pk])).status_code == 404
    assert (
        client.post(reverse("services:application_withdraw", args=[app.pk]), {"confirm": "on"})
    ).status_code == 404
    app.refresh_from_db()
    assert app.status == A.SUBMITTED
    # The clerk of the hall sees the case but does not act as its applicant.
    client.force_login(w.clerk)
    assert client.get(reverse("services:application_detail", args=[app.pk])).status_code == 200
    for name in ("application_edit", "application_withdraw"):
        assert client.get(reverse(f"services:{name}", args=[app.pk])).status_code == 404


def test_the_application_page_tells_the_history_in_words_and_masks_numbers(client):
    w = world()
    w.service.form_definition = {
        "fields": [field("applicant_name"), field("mobile", "phone"), field("id_no", "id_number")]
    }
    w.service.save()
    number = PersonFactory().reveal_id_number()
    app = drafts.start(by=w.applicant, service=w.service)
    drafts.save_answers(
        app,
        by=w.applicant,
        answers={"applicant_name": "张小明", "mobile": "13800138000", "id_no": number},
    )
    attach_pdf(app, w.material, w.applicant)
    drafts.submit_draft(app, by=w.applicant)
    workflow.accept(app, by=w.clerk, opinion="材料齐全")
    client.force_login(w.applicant)
    body = client.get(reverse("services:application_detail", args=[app.pk])).content.decode()
    for words in ("Application started", "Application handed in", "Accepted by the service window"):
        assert words in body
    assert "材料齐全" in body
    assert "&#x27;channel&#x27;" not in body  # an event's inner detail is not shown raw
    assert "13800138000" not in body and "138****8000" in body
    assert number not in body and number[-4:] in body
    assert "Working days left" in body
    assert reverse("services:track", args=[app.tracking_token]) in body


def test_a_supplement_notice_lists_everything_and_the_resubmission_resumes_the_clock(client):
    w = world()
    app = w.accepted()
    workflow.request_supplement(
        app, by=w.department_admin, items=["照片不清晰，请重新上传", "补充联系电话"]
    )
    client.force_login(w.applicant)
    detail_url = reverse("services:application_detail", args=[app.pk])
    body = client.get(detail_url).content.decode()
    assert "照片不清晰，请重新上传" in body and "补充联系电话" in body
    assert "Clock paused" in body
    assert "Hand in the supplement" in body

    response = client.post(
        reverse("services:application_edit", args=[app.pk]),
        {"applicant_name": "张小明", f"file-{w.material.pk}": pdf("new.pdf"), "_do": "submit"},
    )
    assert response["Location"] == detail_url
    app.refresh_from_db()
    assert app.status == A.IN_REVIEW and app.paused_on is None
    assert app.materials.get().file_name == "new.pdf"
    assert "Supplement handed in" in client.get(detail_url).content.decode()


def test_withdrawing_asks_for_confirmation_first(client):
    w = world()
    app = w.submitted()
    client.force_login(w.applicant)
    url = reverse("services:application_withdraw", args=[app.pk])
    assert (
        'href="' + url
        in client.get(reverse("services:application_detail", args=[app.pk])).content.decode()
    )
    unconfirmed = client.post(url, {"reason": "不办了"})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in unconfirmed.content.decode()
    app.refresh_from_db()
    assert app.status == A.SUBMITTED
    assert client.post(url, {"reason": "不办了", "confirm": "on"}).status_code == 302
    app.refresh_from_db()
    assert app.status == A.WITHDRAWN
    again = client.post(url, {"confirm": "on"}, follow=True)
    assert "cannot be withdrawn" in again.content.decode()


def test_the_result_links_to_the_certificate_in_the_wallet(client, commit_now):
    w = certificate_world()
    app = w.accepted()
    workflow.approve(app, by=w.department_admin)
    app.refresh_from_db()
    client.force_login(w.applicant)
    body = client.get(reverse("services:application_detail", args=[app.pk])).content.decode()
    assert reverse("certificates:certificate_detail", args=[app.result_certificate_id]) in body
    assert client.get(reverse("certificates:wallet")).status_code == 200


def test_a_paper_result_shows_the_pickup_code_and_the_hall(client):
    w = world(result=ServiceResult.PAPER)
    app = workflow.approve(w.accepted(), by=w.department_admin)
    client.force_login(w.applicant)
    body = client.get(reverse("services:application_detail", args=[app.pk])).content.decode()
    assert app.pickup_code in body
    assert w.hall.name in body
    assert "Collect the result at the results window" in body


# --- Public progress ----------------------------------------------------------------------


def test_the_progress_link_shows_status_and_dates_to_anyone_and_nothing_personal(client):
    w = world()
    app = w.accepted()
    response = client.get(reverse("services:track", args=[app.tracking_token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Accepted, in review" in body
    assert app.due_date.isoformat() in body
    for personal in ("张小明", app.acceptance_number, app.reference, "scan.pdf"):
        assert personal not in body
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("services:track", args=["unknown-token"])).status_code == 404


# --- Bundles ------------------------------------------------------------------------------


def test_a_bundle_is_applied_for_with_one_form_and_fans_out_to_the_services_chosen(client):
    w = world()
    shared_form = {"fields": [field("applicant_name")]}
    optional = ServiceFactory(form_definition=shared_form)
    optional.halls.add(w.hall)
    MaterialFactory(service=optional, key="id-card", name="身份证复印件")
    skipped = ServiceFactory(form_definition=shared_form)
    bundle = BundleFactory(is_published=True)
    BundleMemberFactory(bundle=bundle, service=w.service, required=True, order=1)
    BundleMemberFactory(bundle=bundle, service=optional, required=False, order=2)
    BundleMemberFactory(bundle=bundle, service=skipped, required=False, order=3)
    client.force_login(w.applicant)
    bundle_page = client.get(reverse("services:bundle_detail", args=[bundle.slug]))
    assert reverse("services:apply_bundle", args=[bundle.slug]) in bundle_page.content.decode()
    response = client.post(reverse("services:apply_bundle", args=[bundle.slug]), {"token": "x"})
    parent = Application.objects.get(bundle=bundle)
    edit_url = reverse("services:application_edit", args=[parent.pk])
    assert response["Location"] == edit_url
    page = client.get(edit_url).content.decode()
    assert page.count("身份证复印件") == 1  # one set of materials
    response = client.post(
        edit_url,
        {
            "applicant_name": "张小明",
            "bundle-bundle_choices": [optional.code],
            f"file-{w.material.pk}": pdf(),
            "_do": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()
    children = list(parent.children.order_by("service__code"))
    assert {c.service for c in children} == {w.service, optional}
    assert all(c.status == A.SUBMITTED for c in children)
    workflow.refuse(children[0], by=w.clerk, reason="不属于本窗口受理范围")
    body = client.get(reverse("services:application_detail", args=[parent.pk])).content.decode()
    assert "Progress of each service" in body
    assert "不属于本窗口受理范围" in body


# --- Notifications ------------------------------------------------------------------------


def test_notifications_are_listed_counted_in_the_header_and_read_once_shown(client):
    w = world()
    for n in range(3):
        notifications.notify(w.applicant, key=f"k{n}", title=f"通知{n}", body="正文")
    client.force_login(w.applicant)
    home = client.get(reverse("services:my_applications")).content.decode()
    assert '<span class="count-badge" aria-hidden="true">3</span>' in home
    assert "(3 unread)" in home
    page = client.get(reverse("portal:notifications"))
    body = page.content.decode()
    assert "通知2" in body and "count-badge" not in body
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    other = PersonFactory().user
    notifications.notify(other, key="x", title="别人的通知")
    assert "别人的通知" not in client.get(reverse("portal:notifications")).content.decode()


def test_material_uploads_keep_nothing_when_refused_by_size(client):
    w = world()
    w.material.max_size_mb = 1
    w.material.save()
    client.force_login(w.applicant)
    draft = start(client, w.service)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = client.post(
        reverse("services:application_edit", args=[draft.pk]),
        {f"file-{w.material.pk}": big, "_do": "save"},
    )
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not Material.objects.exists()


def test_the_receipt_is_offered_once_accepted_and_a_refusal_links_its_written_notice(
    client, english
):
    w = world()
    client.force_login(w.applicant)
    waiting = w.submitted()
    page = client.get(reverse("services:application_detail", args=[waiting.pk])).content.decode()
    assert reverse("services:receipt", args=[waiting.pk]) not in page  # it would be a 404

    accepted = w.accepted()
    page = client.get(reverse("services:application_detail", args=[accepted.pk])).content.decode()
    receipt = reverse("services:receipt", args=[accepted.pk])
    assert receipt in page
    assert client.get(receipt).status_code == 200

    refused = workflow.refuse(w.submitted(), by=w.clerk, reason="不属于本厅受理范围")
    page = client.get(reverse("services:application_detail", args=[refused.pk])).content.decode()
    notice = reverse("services:notice", args=[refused.pk])
    assert f'href="{notice}"' in page
    assert "Notice of non-acceptance" in page
    assert client.get(notice).status_code == 200


def test_an_overdue_case_says_how_many_working_days_overdue_not_a_negative_number(
    client, monkeypatch, english
):
    w = world(promised_days=1)
    client.force_login(w.applicant)
    freeze(monkeypatch, at(dt.date(2026, 3, 2)))  # a Monday
    case = w.accepted()  # due on Tuesday 3 March
    freeze(monkeypatch, at(dt.date(2026, 3, 6)))  # Friday: 3 working days past it

    detail = client.get(reverse("services:application_detail", args=[case.pk])).content.decode()
    listing = client.get(reverse("services:my_applications")).content.decode()
    for page in (detail, listing):
        assert "3 working days overdue" in page
        assert "-3" not in page
