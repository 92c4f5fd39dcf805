"""Template tags of the component set (docs/components.md) that need more than an include."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("includes/step_indicator.html")
def step_indicator(current: int, *labels: str) -> dict[str, object]:
    """A multi-step form's steps, ``current`` counted from 1:
    ``{% step_indicator 2 _("Details") _("Check") _("Done") %}``."""
    steps = [
        {"number": n, "label": label, "done": n < current, "current": n == current}
        for n, label in enumerate(labels, start=1)
    ]
    return {"steps": steps, "current": current, "total": len(steps)}
