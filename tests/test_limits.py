"""Hostile, broken and oversized input: each is a `path:line: message` with a hint, found
at once, never an internal error, and nothing is published. (Found by fuzzing the build:
each case below stood for a class of inputs that ended in "internal error" or ran away.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import load_sources
from generator.cli import main
from generator.config.settings import parse_config
from generator.errors import GeneratorError
from generator.send.recipients import parse_recipients
from tests.conftest import SITE_TOML, TODAY, MakeProject

FM = "---\ntitle: Hola\ndate: 2026-11-20\n"  # front matter, still open: the case adds its keys


def doc(keys: str = "", body: str = "Cuerpo.\n") -> str:
    return f"{FM}{keys}---\n{body}"


ALIAS_BOMB = "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9)
)
CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{}END:VCALENDAR\r\n"
EVENT = "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:x\r\n{rule}END:VEVENT\r\n"
ANN = "content/announcements/x.md"
CSAT = "content/metrics/csat.csv"
METRIC = '\n[metrics.csat]\ntitle = "CSAT"\nunit = "%"\ntarget = 90\n'


def site(old: str, new: str) -> dict[str, str]:
    assert old in SITE_TOML + METRIC
    return {"content/site.toml": (SITE_TOML + METRIC).replace(old, new, 1)}


CASES: dict[str, tuple[dict[str, str], str, str]] = {
    # front matter
    "control character": (
        {ANN: doc("summary: a\x07b\n")},
        f"{ANN}:4",
        "front matter holds a control character (U+0007)",
    ),
    "lone surrogate": ({ANN: doc('summary: "\\ud800"\n')}, f"{ANN}:4", '"summary" holds an escape'),
    "integer of 5,000 digits": ({ANN: doc(f"pinned: {'9' * 5000}\n")}, f"{ANN}:4", "pinned must be true"),
    "control characters in a quoted value": (
        {ANN: doc('slug: "a\\u0000b\\u001b[31mc"\n')},
        f"{ANN}:4",
        'slug "a\\x00b\\x1b[31mc" may only hold',
    ),
    "alias bomb": (
        {ANN: doc("a: &a [x,x,x,x,x,x,x,x,x]\n" + ALIAS_BOMB)},
        f"{ANN}:8",
        "more than 10,000 values",
    ),
    "alias inside itself": ({ANN: doc("a: &a [1, *a]\n")}, f"{ANN}:4", "an alias (*name) is used inside"),
    "lists 1,000 deep": ({ANN: doc("tags: " + "[" * 1000 + "]" * 1000 + "\n")}, f"{ANN}:4", "more than 100"),
    "TOML integer of 5,000 digits": (
        {ANN: f"+++\ntitle = 'Hola'\ndate = 2026-11-20\nn = {'9' * 5000}\n+++\nCuerpo.\n"},
        f"{ANN}:4",
        "a number has more than 4,300 digits",
    ),
    # bodies
    "a Markdown file over 1 MB": ({ANN: doc(body="palabra " * 130_000)}, ANN, "the file is 1,040,0"),
    "quotes 60 deep": ({ANN: doc(body="\n" + "> " * 60 + "hola\n")}, f"{ANN}:6", "nested more than 50"),
    "lists 5,000 deep": ({ANN: doc(body="\n" + "1. " * 5000 + "hola\n")}, f"{ANN}:6", "nested more than 50"),
    "a paragraph of 50,000 [": ({ANN: doc(body="\n" + "[" * 50_000 + "\n")}, f"{ANN}:6", "too many [ and <"),
    # indicators
    "infinity": ({CSAT: "date,value\n2026-10-31,inf\n"}, f"{CSAT}:2", '"inf" is too large'),
    "not a number": ({CSAT: "date,value\n2026-10-31,nan\n"}, f"{CSAT}:2", '"nan" is not a number'),
    "1e308": ({CSAT: "date,value\n2026-10-31,1e308\n"}, f"{CSAT}:2", '"1e308" is too large'),
    "a field of 131,073 digits": (
        {CSAT: f"date,value\n2026-10-31,{'9' * 131_073}\n"},
        f"{CSAT}:2",
        "the line cannot be read as CSV",
    ),
    "100,001 measurements": (
        {CSAT: "date,value\n" + "2026-10-31,1\n" * 100_001},
        f"{CSAT}:100002",
        "the file has 100,001 measurements",
    ),
    "an indicator file over 5 MB": ({CSAT: "date,value\n" + "\n" * 5_000_001}, CSAT, "up to 5 MB"),
    # site.toml
    "a title on two lines": (
        site('title = { es = "Intranet"', 'title = { es = "Intra\\nnet"'),
        "content/site.toml:1",
        "title must be on one line",
    ),
    "a subject with an open brace": (
        site("archive_weeks = 2", 'archive_weeks = 2\nsubject = "Semana {week"'),
        "content/site.toml:28",
        "subject.es has a brace out of place",
    ),
    "a subject with a conversion": (
        site("archive_weeks = 2", 'archive_weeks = 2\nsubject = "Semana {week!x}"'),
        "content/site.toml:28",
        "subject.es writes {week} with more after the name",
    ),
    "a subject with a huge width": (
        site("archive_weeks = 2", 'archive_weeks = 2\nsubject = "Semana {week:>999999999}"'),
        "content/site.toml:28",
        "subject.es writes {week} with more after the name",
    ),
    "months_ahead of 100,000,000": (
        site("archive_weeks = 2", "archive_weeks = 2\n\n[calendar]\nmonths_ahead = 100000000"),
        "content/site.toml:30",
        "months_ahead must be at most 120",
    ),
    "look_ahead_weeks of 100,000,000": (
        site("archive_weeks = 2", "archive_weeks = 2\nlook_ahead_weeks = 100000000"),
        "content/site.toml:28",
        "look_ahead_weeks must be at most 52",
    ),
    "refresh_hours of 10**20": (
        site("archive_weeks = 2", "archive_weeks = 2\n\n[calendar]\nrefresh_hours = 100000000000000000000"),
        "content/site.toml:30",
        "refresh_hours must be at most 8,760",
    ),
    "a sender of 300 characters": (
        site("archive_weeks = 2", f'archive_weeks = 2\nfrom = "{"A" * 280} <comms@example.com>"'),
        "content/site.toml:28",
        "from is longer than 200 characters",
    ),
    "a slug leaving its folder": (
        {ANN: doc('slug: "../../etc/x"\n')},
        f"{ANN}:4",
        'slug "../../etc/x" may only',
    ),
    "a slug in percent escapes": ({ANN: doc('slug: "%2e%2e"\n')}, f"{ANN}:4", 'slug "%2e%2e" may only hold'),
    "a slug with a Cyrillic a": (
        {ANN: doc('slug: "\u0430guinaldo"\n')},
        f"{ANN}:4",
        "may only hold lowercase",
    ),
    "a slug with # and ?": ({ANN: doc('slug: "a#b?c"\n')}, f"{ANN}:4", 'slug "a#b?c" may only hold'),
    "a site.toml integer of 5,000 digits": (
        site("news_per_page = 2", f"news_per_page = {'9' * 5000}"),
        "content/site.toml:6",
        "a number has more than 4,300 digits",
    ),
}


@pytest.mark.parametrize("files,where,message", CASES.values(), ids=CASES.keys())
def test_hostile_input_is_a_clear_problem_and_nothing_is_published(
    make_project: MakeProject,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    where: str,
    message: str,
) -> None:
    project = make_project({"content/site.toml": SITE_TOML + METRIC, **files})
    code = main(["build", "--project", str(project), "--today", "2026-11-23"])
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert code == 1, text
    assert "internal error" not in text
    assert any(line.startswith(f"{where}: ") and message in line for line in text.splitlines()), text
    assert max(len(line) for line in text.splitlines()) < 600  # a huge value is never quoted whole
    assert not (project / "output").exists()


@pytest.mark.parametrize("freq,start", [("SECONDLY", "20200101T000000Z"), ("MINUTELY", "20261101T000000Z")])
def test_an_event_repeating_every_second_or_minute_is_skipped_with_a_warning(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], freq: str, start: str
) -> None:
    events = EVENT.format(uid="bomb", start=start, end=start[:-3] + "01Z", rule=f"RRULE:FREQ={freq}\r\n")
    events += EVENT.format(uid="fine", start="20261201T090000Z", end="20261201T100000Z", rule="")
    project = make_project({"content/calendar/madrid/x.ics": CALENDAR.format(events)})
    code = main(["build", "--project", str(project), "--today", "2026-11-23"])
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert code == 0
    assert f"content/calendar/madrid/x.ics:9: its rule (FREQ={freq}) repeats it more than" in text
    assert "(UID bomb); this event is skipped" in text
    uids = {o.uid for o in load_sources(project, today=TODAY).site.occurrences}
    assert uids == {"fine"}  # the other events of the file are kept


def test_a_daily_event_for_years_is_expanded_whole(make_project: MakeProject) -> None:
    """The bound is far above what a real calendar repeats: a daily stand-up since 2010."""
    daily = EVENT.format(
        uid="standup", start="20100104T090000Z", end="20100104T091500Z", rule="RRULE:FREQ=DAILY\r\n"
    )
    project = make_project({"content/calendar/madrid/x.ics": CALENDAR.format(daily)})
    sources = load_sources(project, today=TODAY)
    assert sources.site.window is not None
    first, last = sources.site.window
    assert len(sources.site.occurrences) >= (last - first).days
    assert not sources.warnings


def test_a_recipient_name_too_long_or_over_the_csv_cell_limit_is_refused(tmp_path: Path) -> None:
    config = parse_config(SITE_TOML, tmp_path / "site.toml")
    header = "email,name,lang,audiences\n"
    with pytest.raises(ExceptionGroup) as long_name:
        parse_recipients(header + f"ana@example.com,{'A' * 201},es,\n", tmp_path / "r.csv", config)
    assert [str(e) for e in long_name.value.exceptions] == [
        f"{tmp_path / 'r.csv'}:2: the name is longer than 200 characters; write the name people know"
    ]
    with pytest.raises(GeneratorError, match="cannot be read as CSV"):
        parse_recipients(header + f"ana@example.com,{'A' * 131_073},es,\n", tmp_path / "r.csv", config)
