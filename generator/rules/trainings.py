"""The training plan: each course with its coming sessions, per office, in the office's
zone. A session is a training event of the calendars that names its course, by the
event's X-INTRANET-COURSE property (`intranet new event --course`) or by the course's
slug in the event's title."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.config import Config
from generator.model import Course, Occurrence
from generator.rules.agenda import Agenda
from generator.rules.localize import Localized
from generator.urls import slugify

SESSIONS = 6  # the next sessions a course lists, per office


@dataclass(frozen=True)
class CourseView:
    course: Localized[Course]
    sessions: tuple[
        tuple[str | None, tuple[Occurrence, ...]], ...
    ]  # (office or None: every office, sessions)

    @property
    def upcoming(self) -> bool:
        return any(found for _, found in self.sessions)


def is_session(entry: Occurrence, course: Course) -> bool:
    if entry.kind != "training":
        return False
    if entry.course:
        return entry.course in (course.slug, course.translation_key)
    title = slugify(next(iter(entry.titles.values()), ""))
    return any(f"-{key}-" in f"-{title}-" for key in {course.slug, course.translation_key} if key)


def compose_trainings(
    config: Config, courses: list[Localized[Course]], agenda: Agenda, today: dt.date
) -> tuple[CourseView, ...]:
    """Each course (by title) with its sessions from today: per office in the office's
    zone; a session for every office under None, in the site's zone."""
    views = []
    for course in sorted(courses, key=lambda c: c.item.title.casefold()):
        versions = course.versions
        mine = [e for e in agenda.entries if e.last_day >= today and any(is_session(e, v) for v in versions)]
        sessions: list[tuple[str | None, tuple[Occurrence, ...]]] = []
        everywhere = tuple(e for e in mine if not e.offices)[:SESSIONS]
        if everywhere:
            sessions.append((None, everywhere))
        for office in config.offices:
            local = [e.in_zone(config.offices[office].tz) for e in mine if office in e.offices]
            if local:
                sessions.append((office, tuple(sorted(local, key=lambda e: (e.day, e.uid)))[:SESSIONS]))
        views.append(CourseView(course, tuple(sessions)))
    return tuple(views)
