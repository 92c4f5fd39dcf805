"""Admin for ratings (好差评) and their rectifications, for system administrators, read-only.

A rating changes only through ``services.rating`` (once given it is immutable) and a
rectification only through the moves of ``services.rectification``, each with its event row and
notice; the admin is for looking. The rater's comment and the rectification's notes and answer
are the rater's personal data: opening either change page writes one read row naming the rater
(ADR 0008). The change lists show no rater and no text, so they write none.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin import AuditedReads, ReadOnlyForSystemAdmins
from portal.models import User
from services.models.evaluations import Appeal, Evaluation, Rectification, RectificationEvent


def _fields(model: Any) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name != "id"]


@admin.register(Evaluation)
class EvaluationAdmin(AuditedReads, ReadOnlyForSystemAdmins, admin.ModelAdmin):
    read_fields = ("rater", "comment", "tags", "follow_up")
    list_display = [
        "created_on",
        "level",
        "channel",
        "department",
        "service",
        "hall",
        "defaulted",
        "excluded",
    ]
    list_filter = ["level", "channel", "defaulted", "excluded", "department"]
    date_hierarchy = "created_on"
    list_select_related = ["department", "service", "hall"]
    # Raw ids: a select of every case, visit and account would load whole tables.
    raw_id_fields = ["application", "ticket", "rater", "staff"]
    show_full_result_count = False  # a year has hundreds of thousands of ratings

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _fields(Evaluation)

    def subject_of(self, obj: Evaluation) -> User | None:
        return obj.rater


class RectificationEventInline(ReadOnlyForSystemAdmins, admin.TabularInline):
    model = RectificationEvent
    extra = 0
    fields = readonly_fields = ("at", "actor", "action", "from_status", "to_status", "note")


class AppealInline(ReadOnlyForSystemAdmins, admin.StackedInline):
    model = Appeal
    extra = 0
    fields = readonly_fields = (
        "reason",
        "made_by",
        "made_at",
        "decision",
        "decision_note",
        "decided_by",
        "decided_at",
    )


@admin.register(Rectification)
class RectificationAdmin(AuditedReads, ReadOnlyForSystemAdmins, admin.ModelAdmin):
    read_fields = ("evaluation", "finding", "call_back_note", "answer")
    list_display = [
        "__str__",
        "department",
        "status",
        "classification",
        "opened_on",
        "due_date",
        "overdue",
        "answered_at",
    ]
    list_filter = ["status", "classification", "overdue", "department"]
    date_hierarchy = "opened_on"
    list_select_related = ["department", "evaluation"]
    raw_id_fields = ["evaluation", "staff"]
    inlines = [AppealInline, RectificationEventInline]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _fields(Rectification)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("evaluation__rater")

    def subject_of(self, obj: Rectification) -> User | None:
        return obj.evaluation.rater
