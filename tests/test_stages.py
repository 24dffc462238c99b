"""The pure stages with their inputs in the test: a few announcements in memory → the
newsletter issues, each language's view, and the plan of pages. No files, no rendering."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from generator.config import parse_config
from generator.model import Announcement, Html, Site
from generator.render.intranet import plan_site
from generator.rules.agenda import full_agenda
from generator.rules.issue import Issues
from generator.rules.views import compose_views
from generator.rules.weeks import IsoWeek
from tests.conftest import SITE_TOML

CONFIG = parse_config(SITE_TOML, Path("content/site.toml"))  # es, fr, en; madrid, cdmx; rrhh restricted
TODAY = date(2026, 11, 23)  # Monday of 2026-W48: its issue holds 16–22 November
WEEK = IsoWeek.of(TODAY)


def news(slug: str, day: date, **fields: object) -> Announcement:
    values: dict[str, object] = {
        "source": Path(f"content/announcements/{slug}.md"), "line": 1, "slug": slug,
        "title": slug.replace("-", " ").capitalize(), "date": day, "lang": "es",
        "translation_key": slug, "body": Html.of(f"<p>{slug}</p>"), "summary": slug,
    }  # fmt: skip
    values.update(fields)
    return Announcement(**values)  # type: ignore[arg-type]


SITE = Site(
    announcements=(
        news("comedor", date(2026, 11, 18)),
        news("comedor", date(2026, 11, 18), lang="fr", title="Cantine", source=Path("comedor.fr.md")),
        news("horario", date(2026, 10, 1), pinned=True),
        news("nomina-madrid", date(2026, 11, 20), audience=("madrid",)),
        news("plan-rrhh", date(2026, 11, 19), audience=("rrhh",)),
        news("esta-semana", date(2026, 11, 23)),
        news("programado", date(2026, 11, 30)),
        news("caducado", date(2026, 11, 2), expires=date(2026, 11, 10)),
        news("borrador", date(2026, 11, 17), draft=True),
    ),
    pages=(),
    media=(),
)


def slugs(items: tuple[object, ...]) -> list[str]:
    return [item.item.slug for item in items]  # type: ignore[attr-defined]


def test_an_issue_holds_last_weeks_news_the_must_reads_and_only_its_audiences() -> None:
    issues = Issues(CONFIG, SITE, full_agenda(CONFIG, SITE, TODAY), TODAY)
    company = issues.get(WEEK, "es", ())
    assert slugs(company.news) == ["comedor"]  # not this week's, not scheduled, not a draft
    assert slugs(company.must_read) == ["horario"]
    madrid = issues.get(WEEK, "es", ("madrid",))
    assert slugs(madrid.news) == ["nomina-madrid", "comedor"] and madrid.office == "madrid"
    assert slugs(issues.get(WEEK, "es", ("rrhh",)).news) == ["plan-rrhh", "comedor"]
    both = issues.get(WEEK, "es", ("rrhh", "madrid"))
    assert slugs(both.news) == ["nomina-madrid", "plan-rrhh", "comedor"] and both.key == "madrid+rrhh"
    assert issues.get(WEEK, "es", ("madrid", "rrhh")) is both  # composed once, whatever the order
    french = issues.get(WEEK, "fr", ())
    assert [(e.item.title, e.fallback) for e in french.news] == [("Cantine", False)]
    assert [(e.item.lang, e.fallback) for e in french.must_read] == [("es", True)]


def test_each_language_view_shows_what_its_site_may_show() -> None:
    agenda = full_agenda(CONFIG, SITE, TODAY)
    issues = Issues(CONFIG, SITE, agenda, TODAY)
    views = compose_views(CONFIG, SITE, TODAY, drafts=False, scope=None, agenda=agenda, issues=issues)
    es = views["es"]
    assert slugs(es.news) == ["esta-semana", "nomina-madrid", "comedor", "caducado", "horario"]
    assert slugs(es.archived) == ["caducado"] and slugs(es.pinned) == ["horario"]
    assert "plan-rrhh" not in slugs(es.news)  # restricted: its own tree only
    assert slugs(es.audiences["madrid"]) == ["nomina-madrid"]
    assert [(e.item.slug, e.item.lang, e.fallback) for e in views["fr"].news][:2] == [
        ("esta-semana", "es", True),
        ("nomina-madrid", "es", True),
    ]
    assert {issue.key for issue in es.newsletters} == {"all", "cdmx", "madrid", "managers"}
    rrhh = compose_views(CONFIG, SITE, TODAY, drafts=True, scope="rrhh", agenda=agenda, issues=issues)["es"]
    assert {"plan-rrhh", "borrador"} <= set(slugs(rrhh.news))
    assert {issue.key for issue in rrhh.newsletters} == {"all", "rrhh"}


def test_the_plan_has_one_page_per_path_each_knowing_its_language_and_translations() -> None:
    agenda = full_agenda(CONFIG, SITE, TODAY)
    issues = Issues(CONFIG, SITE, agenda, TODAY)
    views = compose_views(CONFIG, SITE, TODAY, drafts=False, scope=None, agenda=agenda, issues=issues)
    plans = plan_site(CONFIG, views)
    by_path = {plan.path: plan for plan in plans}
    assert len(by_path) == len(plans)  # no two plans write one page
    assert all(plan.path.startswith(f"{plan.lang}/") for plan in plans)
    comedor = by_path["fr/news/comedor/index.html"]
    assert comedor.lang == "fr" and comedor.template == "site/announcement.html"
    assert comedor.alternates == (("es", "es/news/comedor/index.html"), ("fr", "fr/news/comedor/index.html"))
    assert by_path["en/news/comedor/index.html"].context["localized"].fallback
    same = {plan.lang for plan in plans if plan.same_as == ("news-item", "comedor")}
    assert same == {"es", "fr", "en"}
    assert {"es/index.html", "es/news/index.html", "es/audiences/madrid/index.html"} <= set(by_path)
    assert not any("plan-rrhh" in path or "borrador" in path for path in by_path)
