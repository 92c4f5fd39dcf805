"""What search knows about how people ask (vocabulary, filler, areas), the bundles' search
tokens, and the queries that found nothing. Administrators edit the words in the admin."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.bundles import Bundle


class WordKind(models.TextChoices):
    COLLOQUIAL = "colloquial", _("Everyday word for official words")
    FILLER = "filler", _("Filler word (ignored)")
    AREA = "area", _("Area name (boost, not required)")
    NARROWING = "narrowing", _("Narrowing word (ranks lower unless asked for)")


class SearchWord(models.Model):
    """A word search understands: an everyday phrase and the official words it means
    (开店 → 设立登记 营业执照), a filler word to ignore (怎么), an area name (海珠区), or a
    narrowing word (补领, 新生儿) whose services rank lower unless the query says it."""

    phrase = models.CharField(
        _("word or phrase"),
        max_length=40,
        help_text=_("As residents type it, simplified Chinese or English in lower case."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WordKind, db_index=True)
    means = models.CharField(
        _("official words"),
        max_length=200,
        blank=True,
        help_text=_(
            "For an everyday word: the official words it means, separated by spaces. "
            "For an area: other names of the area."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        ordering = ["kind", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["phrase", "kind"], name="one_search_word_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means}" if self.means else self.phrase


class BundleSearchToken(models.Model):
    """A search key of a bundle, like ``SearchToken`` for a service; rebuilt when the bundle
    is saved."""

    bundle = models.ForeignKey(
        Bundle, on_delete=models.CASCADE, related_name="search_tokens", db_index=False
    )
    token = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("bundle search token")
        verbose_name_plural = _("bundle search tokens")
        constraints = [
            models.UniqueConstraint(fields=["token", "bundle"], name="one_weight_per_bundle_token")
        ]
        indexes = [
            models.Index(
                fields=["token"],
                name="bundle_search_token_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.token


class SearchMiss(models.Model):
    """A query that found nothing, with ID and phone numbers masked, counted per wording:
    the administrators' list of words to teach search."""

    query = models.CharField(_("query (masked)"), max_length=120, unique=True)
    count = models.PositiveIntegerField(_("times asked"), default=1)
    first_seen = models.DateTimeField(_("first asked"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last asked"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("query without results")
        verbose_name_plural = _("queries without results")
        ordering = ["-count", "-last_seen"]

    def __str__(self) -> str:
        return self.query
