"""Certification progress, computed from milestones and `today`, never typed by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.model import Milestone, Occurrence, Programme
from generator.urls import slugify

AT_RISK_DAYS = 14  # a milestone due this soon and less than AT_RISK_PERCENT done is at risk
AT_RISK_PERCENT = 75
RECENT_DAYS = 30  # "what changed recently": milestones completed in the last 30 days
STATUSES = ("done", "on-track", "at-risk", "late")


def status(milestone: Milestone, today: dt.date) -> str:
    """done, late (past due), at risk (due within 14 days and under 75 %), or on track."""
    if milestone.completion >= 1.0:
        return "done"
    if milestone.due < today:
        return "late"
    if (milestone.due - today).days <= AT_RISK_DAYS and milestone.percent < AT_RISK_PERCENT:
        return "at-risk"
    return "on-track"


def overall(milestones: tuple[Milestone, ...]) -> float:
    """Weighted completion, 0–100."""
    total = sum(m.weight for m in milestones)
    return 100 * sum(m.weight * m.completion for m in milestones) / total if total else 0.0


@dataclass(frozen=True)
class MilestoneView:
    milestone: Milestone
    status: str


@dataclass(frozen=True)
class ProgrammeView:
    programme: Programme
    progress: float  # 0–100
    milestones: tuple[MilestoneView, ...]
    next_milestone: Milestone | None
    next_audit: Milestone | None
    recently_done: tuple[Milestone, ...]
    counts: dict[str, int]

    @property
    def overall_status(self) -> str:
        """The worst status among the open milestones."""
        worst = "on-track"
        for view in self.milestones:
            if STATUSES.index(view.status) > STATUSES.index(worst):
                worst = view.status
        return worst if self.progress < 100 else "done"


def audit_dates(programme: Programme, host: str) -> list[Occurrence]:
    """The programme's audits, as calendar events (so they are on the calendar and in the feeds)."""
    return [
        Occurrence(
            uid=f"audit-{programme.translation_key}-{slugify(m.name)}@{host}",
            kind="event",
            titles={"": f"{programme.standard}: {m.name}"},
            start=m.due,
            end=m.due + dt.timedelta(days=1),
            source=programme.source,
            line=m.line,
            audience=programme.audience,
        )
        for m in programme.milestones
        if m.audit
    ]


def compose_programme(programme: Programme, today: dt.date) -> ProgrammeView:
    views = tuple(MilestoneView(m, status(m, today)) for m in programme.milestones)
    open_ = [m for m in programme.milestones if m.completion < 1.0]
    audits = [m for m in open_ if m.audit and m.due >= today]
    since = today - dt.timedelta(days=RECENT_DAYS)
    recent = tuple(
        sorted(
            (m for m in programme.milestones if m.done and since <= m.done <= today),
            key=lambda m: m.done or today,
        )
    )
    return ProgrammeView(
        programme,
        round(overall(programme.milestones), 1),
        views,
        min(open_, key=lambda m: m.due, default=None),
        min(audits, key=lambda m: m.due, default=None),
        recent,
        {s: sum(1 for v in views if v.status == s) for s in STATUSES},
    )
