"""The product's vocabulary as readers see it, in their language: one table for the site,
the e-mail, its text version and the calendar feeds."""

from __future__ import annotations

import functools

from generator.i18n import load_translations
from generator.urls import ALL_DATES


@functools.cache  # the catalogs do not change while the process runs
def _names(lang: str) -> dict[str, dict[str, str]]:
    _ = load_translations(lang).gettext
    return {
        "category": {
            "news": _("News"),
            "celebration": _("Celebration"),
            "policy": _("Policy"),
            "service": _("Service results"),
            "certification": _("Certification"),
            "training": _("Training"),
            "event": _("Event"),
        },
        "kind": {
            "holiday": _("Holiday"),
            "payday": _("Pay date"),
            "event": _("Event"),
            "training": _("Training"),
            "meeting": _("Meeting"),
        },
        # Calendar filters (pages) and feeds: ALL_DATES is only a feed.
        "filter": {
            "holidays": _("Holidays"),
            "paydays": _("Pay dates"),
            "events": _("Events and trainings"),
            "trainings": _("Trainings"),
            "meetings": _("Meetings"),
            ALL_DATES: _("All dates"),
        },
    }


def category_name(category: str, lang: str) -> str:
    return _names(lang)["category"][category]


def kind_name(kind: str, lang: str) -> str:
    return _names(lang)["kind"][kind]


def filter_name(name: str, lang: str) -> str:
    """A calendar filter or feed: "Pay dates", "All dates"."""
    return _names(lang)["filter"][name]
