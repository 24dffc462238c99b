"""A work-climate survey's results, published as aggregates only, with anonymity.

For each question: how many answered, how many gave each point of the scale, and the
mean (1–5 agreement) or the eNPS (0–10: the percentage of promoters, 9 and 10, less
that of detractors, 0 to 6) — for the whole company and for each group (office, team)
with at least `min_group` answers. A smaller group is never shown, and neither can it be
found by subtraction: what the shown groups leave of the company's total (the hidden
groups together, and the answers without a group) is either nothing or at least
`min_group` answers; if not, the smallest shown group is hidden too, until it is. A
question fewer than `min_group` people answered is not shown at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import SCALES, Survey, SurveyQuestion


@dataclass(frozen=True)
class Distribution:
    answers: int
    counts: tuple[int, ...]  # per point of the scale, lowest first

    @property
    def mean(self) -> float:
        return sum(p * c for p, c in zip(self.points, self.counts, strict=True)) / self.answers

    @property
    def points(self) -> tuple[int, ...]:
        return SCALES["agree5"] if len(self.counts) == 5 else SCALES["enps"]

    @property
    def promoters(self) -> int:
        return sum(self.counts[9:])

    @property
    def detractors(self) -> int:
        return sum(self.counts[:7])

    @property
    def enps(self) -> int:
        """Promoters less detractors, in percent of the answers, rounded: -100 to +100."""
        return round(100 * (self.promoters - self.detractors) / self.answers)

    def share(self, count: int) -> int:
        return round(100 * count / self.answers)


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    company: Distribution | None  # None: fewer than min_group answered
    groups: tuple[tuple[str, Distribution], ...]  # those shown, by name
    hidden: int  # groups not shown (too small, or hiding a small one)


@dataclass(frozen=True)
class SurveyResult:
    survey: Survey
    respondents: int
    questions: tuple[QuestionResult, ...]

    @property
    def enps(self) -> Distribution | None:
        """The first eNPS question's company result, for the newsletter's line."""
        return next((q.company for q in self.questions if q.question.scale == "enps" and q.company), None)


def survey_result(survey: Survey) -> SurveyResult:
    results = []
    for index, question in enumerate(survey.questions):
        points = SCALES[question.scale]
        by_group: dict[str, list[int]] = {}
        everyone: list[int] = []
        for group, answers in survey.responses:
            answer = answers[index]
            if answer is None:
                continue
            everyone.append(answer)
            if group:
                by_group.setdefault(group, []).append(answer)
        if len(everyone) < survey.min_group:
            results.append(QuestionResult(question, None, (), len(by_group)))
            continue
        shown = {g: a for g, a in by_group.items() if len(a) >= survey.min_group}
        while shown and 0 < len(everyone) - sum(len(a) for a in shown.values()) < survey.min_group:
            smallest = min(shown, key=lambda g: (len(shown[g]), g))
            del shown[smallest]  # what is left would otherwise tell a small group's answers
        results.append(
            QuestionResult(
                question,
                _distribution(everyone, points),
                tuple((g, _distribution(shown[g], points)) for g in sorted(shown)),
                len(by_group) - len(shown),
            )
        )
    return SurveyResult(survey, len(survey.responses), tuple(results))


def _distribution(answers: list[int], points: tuple[int, ...]) -> Distribution:
    return Distribution(len(answers), tuple(answers.count(p) for p in points))
