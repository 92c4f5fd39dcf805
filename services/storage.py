"""Where applicants' materials are kept: the "materials" storage, under random names."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.storage import Storage, storages
from django.utils import timezone


def materials_storage() -> Storage:
    return storages["materials"]


def material_path(instance: Any, filename: str) -> str:
    """A random name without the uploader's name or extension: nothing to guess or execute."""
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
