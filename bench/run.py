"""`make bench`: build and sending benchmarks, written to docs/benchmarks.md.

Sending goes to a real SMTP server (aiosmtpd) on 127.0.0.1 in this process, at no
rate limit, for growing recipient lists: messages per second and the sending loop's
peak memory (tracemalloc), which must stay flat as the list grows.
"""

from __future__ import annotations

import datetime as dt
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import build, compose_messages, load_sources  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.rules.weeks import IsoWeek  # noqa: E402
from generator.send.campaign import plan  # noqa: E402
from generator.send.ledger import Ledger  # noqa: E402
from generator.send.mailer import Pace, deliver  # noqa: E402
from generator.send.recipients import parse_recipients  # noqa: E402
from generator.send.transport import SmtpTransport  # noqa: E402
from tests.smtp_server import free_port  # noqa: E402

TODAY = dt.date(2026, 11, 23)
SIZES = (1_000, 5_000, 10_000)


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
    build_seconds, files = bench_build()
    server, port = sink_server()
    try:
        rows = [bench_send(size, port) for size in SIZES]
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = [
        "# Benchmarks",
        "",
        "Measured with `make bench` (`bench/run.py`). Numbers depend on the machine; compare runs on one machine.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}; "
        f"measured {dt.datetime.now(dt.UTC):%Y-%m-%d}.",
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
    (REPO / "docs/benchmarks.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
