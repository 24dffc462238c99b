"""Property-based tests over every kind of input the comms team writes: whatever the text,
reading it either succeeds or reports `GeneratorError`s (path:line: message) — never
another exception, never a hang — and a body never yields executable HTML.

`make test` runs a modest number of examples per property; `make fuzz` runs many more
(INTRANET_FUZZ_EXAMPLES). The inputs are built from pieces known to trouble parsers:
control characters, escapes, huge numbers, anchors and aliases, deep brackets, line
breaks, format fields, XSS vectors."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.config.settings import parse_config
from generator.errors import GeneratorError, flatten
from generator.intake import import_kudos
from generator.load.announcements import load_announcement
from generator.load.frontmatter import parse_front_matter
from generator.load.ics import parse_calendar
from generator.load.kudos import load_one_kudos
from generator.load.markdown import render_markdown, shape_problem
from generator.load.metrics import parse_metric
from generator.load.surveys import load_survey
from generator.rules.surveys import survey_result
from generator.send.recipients import parse_recipients
from tests.conftest import SITE_TOML

EXAMPLES = int(os.environ.get("INTRANET_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
METRIC = '\n[metrics.csat]\ntitle = "CSAT"\nunit = "%"\ntarget = 90\n'
CONFIG: Config = parse_config(SITE_TOML + METRIC, Path("content/site.toml"))
WINDOW = (dt.date(2025, 11, 1), dt.date(2027, 11, 30))

XSS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
    "[a](javascript:alert(1))", "[a](JaVaScRiPt:alert(1))", "[a](java&#x09;script:alert(1))",
    "[a](data:text/html;base64,PHNjcmlwdD4=)", "![a](javascript:alert(1))", '<a href="jav\tascript:x">a</a>',
    "<iframe src=//x>", "<math><mi xlink:href=javascript:alert(1)>x</mi></math>", "<!--<script>-->",
    '<div style="background:url(javascript:alert(1))">a</div>', "<object data=x>", "<form><button>",
    '"><script>alert(1)</script>', "<details open ontoggle=alert(1)>", "<a href=vbscript:x>a</a>",
    "<base href=//evil>", "<meta http-equiv=refresh content=0;url=//x>", "<style>@import'//x'</style>",
]  # fmt: skip
PIECES = [
    "\x00", "\x07", "\x1b", "\x85", "\u2028", "\ufeff", "\\ud800", "\\U0001F600", "\t", "\r", "\n", "\n\n",
    "9" * 5000, "1e308", "-inf", "nan", "0x", "&a ", "*a", "!!python/object:os.system", "!!binary",
    "[", "]", "{", "}", "[[[[[[[[", "]]]]]]]]", "- ", "? ", ": ", "|", ">", "'", '"', "#", "%", "@", "`",
    "{week}", "{week", "{week!r}", "{week:>9}", "{{", "---", "+++", "...", "=", "title", "date",
    "2026-02-30", "2026-11-20", "9999-12-31", "0000-00-00", "true", "no", "~", "null", "audience",
    "rrhh", "madrid", "../../etc/passwd", "%2e%2e/", "C:\\x", "/abs", "é", "ß", "İ", "\u202e", "\u200b",
    *XSS,
]  # fmt: skip
text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=24).map("".join)


def only_content_problems(read: Callable[[], object]) -> None:
    """`read()` may succeed or raise GeneratorErrors (alone or grouped), nothing else."""
    try:
        read()
    except GeneratorError:
        pass
    except ExceptionGroup as group:
        assert all(isinstance(e, GeneratorError) for e in flatten(group)), group


RUNNABLE_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "base",
    "meta",
    "style",
    "link",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcset", "poster"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def safe(html: str, allowed: frozenset[str] = frozenset()) -> None:
    """Nothing in `html` can run: no script-capable element (but those `allowed`, such
    as a whole document's own <meta> and <style>), no handler, no script URL (read as a
    browser reads tags, so text that only shows a tag is fine)."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.found:
        assert tag not in RUNNABLE_TAGS - allowed, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            if name in URL_ATTRIBUTES and value:
                plain = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not plain.startswith(("javascript:", "vbscript:", "data:")), (value, html)


@FUZZ
@given(header=text)
def test_front_matter_is_read_or_refused_with_a_line(header: str) -> None:
    only_content_problems(lambda: parse_front_matter(f"---\n{header}\n---\nCuerpo.\n", Path("x.md")))


@FUZZ
@given(header=text, body=text)
def test_an_announcement_file_loads_or_reports_its_problems(header: str, body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "announcements" / "x.md"
        path.parent.mkdir()
        path.write_bytes(
            f"---\ntitle: T\ndate: 2026-11-20\n{header}\n---\n{body}".encode(errors="surrogatepass")
        )
        only_content_problems(lambda: load_announcement(path, path.parent, CONFIG.content_settings(), set()))


@FUZZ
@given(
    body=st.lists(st.one_of(st.sampled_from(XSS + PIECES), st.text(max_size=12)), max_size=30).map("".join)
)
def test_a_body_renders_to_html_that_cannot_run(body: str) -> None:
    if shape_problem(body) is None:
        rendered = render_markdown(body, "announcements/x.md")
        safe(rendered.html)


@FUZZ
@given(lines=text)
def test_site_toml_is_read_or_refused_with_a_line(lines: str) -> None:
    only_content_problems(lambda: parse_config(SITE_TOML + "\n" + lines, Path("content/site.toml")))
    only_content_problems(lambda: parse_config(lines, Path("content/site.toml")))


@FUZZ
@given(rows=text)
def test_an_indicator_file_is_read_or_refused_with_a_line(rows: str) -> None:
    only_content_problems(
        lambda: parse_metric("date,value\n" + rows, Path("csat.csv"), CONFIG.content_settings())
    )


@FUZZ
@given(event=text, rule=text)
def test_a_calendar_is_read_or_refused_and_never_runs_away(event: str, rule: str) -> None:
    raw = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n"
        f"DTSTART:20261201T090000Z\r\nSUMMARY:{event}\r\nRRULE:FREQ={rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode(errors="surrogatepass")
    only_content_problems(
        lambda: parse_calendar(raw, Path("x.ics"), CONFIG.content_settings(), WINDOW, (), [])
    )


@FUZZ
@given(
    freq=st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    parts=st.lists(st.sampled_from([
        ";INTERVAL=1", ";INTERVAL=7", ";COUNT=9999999", ";COUNT=3", ";BYSECOND=0,1,2,3,4,5", ";BYMINUTE=0,30",
        ";BYHOUR=9,10,11", ";UNTIL=99991231T000000Z", ";UNTIL=20261231T000000Z", ";BYDAY=MO,TU",
    ]), unique=True, max_size=5).map("".join),
)  # fmt: skip
def test_a_fast_repeating_rule_is_expanded_within_the_bound_or_skipped(freq: str, parts: str) -> None:
    rule = f"FREQ={freq}{parts}"
    raw = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n"
        f"DTSTART:20200101T000000Z\r\nSUMMARY:x\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    warnings: list[GeneratorError] = []
    found = parse_calendar(raw, Path("x.ics"), CONFIG.content_settings(), WINDOW, (), warnings)
    assert len(found) <= 20_000
    if freq in ("SECONDLY", "MINUTELY") and "COUNT=3" not in rule:  # far past the bound from 2020 on
        assert not found
        assert [w.line for w in warnings] == [8]  # the RRULE line


@FUZZ
@given(rows=text)
def test_a_recipients_file_is_read_or_refused_with_a_line(rows: str) -> None:
    only_content_problems(
        lambda: parse_recipients("email,name,lang,audiences\n" + rows, Path("r.csv"), CONFIG)
    )


VALUES = '\n[values.equipo]\nname = { es = "Juntos", fr = "Ensemble", en = "Together" }\n'
KUDOS_CONFIG: Config = parse_config(SITE_TOML + VALUES, Path("content/site.toml"))
KUDOS_MAP = '[columns]\ndate = "Fecha"\nfrom = "De"\nto = "Para"\nvalue = "Valor"\nmessage = "Mensaje"\n'


# rows of five cells, most of them plausible, so that rows are also written, not only refused
cell = st.one_of(
    text,
    st.sampled_from(
        ["20/11/2026 9:15:32", "11/21/2026 17:45", "2026-11-22", "Juntos", "equipo", "Ana", "Luis"]
    ),
)
good_row = st.tuples(
    st.sampled_from(["20/11/2026 9:15:32", "21/11/2026 17:45", "2026-11-22"]),
    st.sampled_from(["Ana", "Luis Gómez"]),
    st.sampled_from(["Laura", "Pedro, Sofía"]),
    st.sampled_from(["Juntos", "equipo", "Together"]),
    text,  # the message: anything at all
).map(lambda cells: ";".join(f'"{c.replace(chr(34), chr(34) * 2)}"' for c in cells))
form_rows = st.lists(st.one_of(good_row, st.lists(cell, max_size=6).map(";".join)), max_size=6).map("\n".join)


@FUZZ
@given(rows=st.one_of(text, form_rows), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_a_form_export_is_imported_or_refused_with_a_line_and_its_text_stays_text(
    rows: str, encoding: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        form, mapping = project / "form.csv", project / "map.toml"
        export = "Fecha;De;Para;Valor;Mensaje\n" + rows
        form.write_bytes(export.encode(encoding, "surrogatepass"))
        mapping.write_text(KUDOS_MAP, encoding="utf-8")
        try:
            done = import_kudos(project, KUDOS_CONFIG, form, mapping)
        except GeneratorError:
            return
        except ExceptionGroup as group:
            assert all(isinstance(e, GeneratorError) for e in flatten(group)), group
            return
        assert all(p.line is not None for p in done.rejected)  # each rejected row at its line
        for path in done.written:  # and what was written builds, its message as text
            kudos = load_one_kudos(path, path.parent, KUDOS_CONFIG.content_settings())
            safe(kudos.body_html)


SURVEY = (
    'title = "Clima"\ndate = 2026-11-20\ngroup_by = "Oficina"\n[[questions]]\nid = "q"\n'
    'column = "Q"\nscale = "enps"\ntext = "Q"\n'
)


@FUZZ
@given(rows=text)
def test_survey_responses_are_read_or_refused_with_a_line(rows: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings_file = Path(folder) / "clima.toml"
        settings_file.write_text(SURVEY, encoding="utf-8")
        settings_file.with_suffix(".csv").write_bytes(
            ("Oficina,Q,Comentarios\n" + rows).encode("utf-8", "surrogatepass")
        )
        only_content_problems(lambda: survey_result(load_survey(settings_file, CONFIG.content_settings())))
