"""The component set's template pieces (docs/components.md) render what a reader needs."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation


def render(source: str) -> str:
    with translation.override("en"):
        return Template("{% load components %}" + source).render(Context({}))


def test_step_indicator_marks_done_steps_and_the_current_one():
    html = render('{% step_indicator 2 "Fill in" "Check" "Signed" %}')
    assert "Step 2 of 3" in html
    assert '<li class="step-done"><span class="visually-hidden">Done: </span>Fill in</li>' in html
    assert '<li aria-current="step">Check</li>' in html
    assert "<li>Signed</li>" in html


def test_tag_and_notice_carry_their_tone_and_words():
    html = render(
        '{% include "includes/tag.html" with tone="green" text="Valid" %}'
        '{% include "includes/notice.html" with tone="warning" title="Careful" text="Read this." %}'
    )
    assert '<strong class="tag tag-green">Valid</strong>' in html
    assert 'class="notice notice-warning"' in html
    assert "Careful" in html and "Read this." in html
