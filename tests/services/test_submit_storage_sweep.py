"""Uploads replaced or abandoned do not stay in storage forever: the daily sweep deletes the
files no material refers to any more, and keeps a file any material still names (a bundle's
children share their parent's)."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from services import materials, tasks
from services.models import Material
from tests.services.cases import PDF, attach_pdf, world

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


@pytest.fixture
def storage(tmp_path, monkeypatch):
    """A storage of the test's own, so the sweep sees only this test's files."""
    here = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(Material._meta.get_field("file"), "storage", here)
    return here


def age(storage, name, seconds=DAY):
    then = time.time() - seconds
    os.utime(storage.path(name), (then, then))


def test_a_replaced_upload_s_file_is_deleted_and_the_current_one_stays(storage):
    w = world()
    app = w.draft()
    first = attach_pdf(app, w.material, w.applicant).file.name
    current = materials.attach_upload(
        app, w.material, io.BytesIO(PDF + b"%v2\n"), name="new.pdf", by=w.applicant
    ).file.name
    age(storage, first)
    age(storage, current)
    assert tasks.sweep_material_files() == 1
    assert not storage.exists(first)
    assert storage.exists(current)


def test_a_file_shared_by_a_bundle_s_rows_stays_while_any_row_names_it(storage):
    w = world()
    parent, child = w.draft(), w.draft()
    shared = attach_pdf(parent, w.material, w.applicant)
    Material.objects.create(
        application=child, requirement=w.material, source=shared.source, file=shared.file.name
    )
    age(storage, shared.file.name)
    shared.delete()  # the parent's row goes; the child's still names the file
    assert materials.delete_unreferenced_files() == 0
    assert storage.exists(shared.file.name)
    Material.objects.filter(application=child).delete()
    assert materials.delete_unreferenced_files() == 1
    assert not storage.exists(shared.file.name)


def test_a_file_stored_moments_ago_is_left_for_its_row_to_arrive(storage):
    name = storage.save("2026/12/abandoned", ContentFile(b"%PDF-1.4"))
    assert materials.delete_unreferenced_files() == 0  # its upload may not have committed yet
    age(storage, name)
    assert materials.delete_unreferenced_files(older_than=dt.timedelta(hours=1)) == 1
    assert not storage.exists(name)
