"""The sending loop's decisions, against an in-memory transport that records every attempt.

The wire itself (SMTP replies, dropped connections, TLS) is tested against a real server
in test_send.py; here each test scripts the outcomes it needs and runs in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.errors import GeneratorError
from generator.model import PLACEHOLDER_RECIPIENT
from generator.send.ledger import Ledger
from generator.send.mailer import Delivery, Pace, deliver, personalize
from generator.send.recipients import Recipient
from generator.send.transport import Outcome, Result

WEEK = "2026-W48"
MESSAGE = (
    f"From: Intranet <news@alcora.example>\r\nTo: {PLACEHOLDER_RECIPIENT}\r\n"
    "Message-ID: <newsletter.2026-W48.es.all@alcora.example>\r\nSubject: Semana 48\r\n\r\nHola.\r\n"
).encode()
PACE = Pace(rate=1000, max_attempts=3, backoff=1.0, max_backoff=1.5, max_failures_in_a_row=3)


@dataclass
class RecordingTransport:
    """Answers each attempt from a script per recipient (then SENT), and records it."""

    script: dict[str, list[Outcome | Exception]] = field(default_factory=dict)
    attempts: list[tuple[str, bytes]] = field(default_factory=list)
    closed: bool = False

    def send(self, sender: str, recipient: str, data: bytes) -> Result:
        self.attempts.append((recipient, data))
        planned = self.script.get(recipient, [])
        outcome = planned.pop(0) if planned else Outcome.SENT
        if isinstance(outcome, Exception):
            raise outcome
        return Result(outcome, f"{outcome.value} by script")

    def close(self) -> None:
        self.closed = True

    def tried(self) -> list[str]:
        return [recipient for recipient, _ in self.attempts]


class Clock:
    """A clock that moves only when the loop sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def deliveries(*emails: str) -> list[Delivery]:
    return [Delivery(Recipient(e, e.split("@")[0].title(), "es", (), n), "es/all", MESSAGE) for n, e in enumerate(emails, 2)]  # fmt: skip


def states(ledger: Ledger) -> dict[str, int]:
    return {status: count for status, count in ledger.counts(WEEK).items() if count}


def run(
    tmp_path: Path, transport: RecordingTransport, items: Iterable[Delivery], **options: object
) -> tuple[object, Ledger, Clock]:
    ledger = Ledger(tmp_path / "deliveries.sqlite")
    clock = Clock()
    report = deliver(
        WEEK, items, transport, ledger, "news@alcora.example", "alcora.example", options.pop("pace", PACE),  # type: ignore[arg-type]
        sleep=clock.sleep, clock=clock, **options,  # type: ignore[arg-type]
    )  # fmt: skip
    return report, ledger, clock


def test_each_recipient_gets_one_personal_copy_and_a_rerun_sends_nothing(tmp_path: Path) -> None:
    transport = RecordingTransport()
    report, ledger, _ = run(tmp_path, transport, deliveries("ana@alcora.example", "luis@alcora.example"))
    assert transport.tried() == ["ana@alcora.example", "luis@alcora.example"]
    assert b"To: Ana <ana@alcora.example>\r\n" in transport.attempts[0][1]
    assert report.sent == 2 and report.ok  # type: ignore[attr-defined]
    assert states(ledger) == {"sent": 2}
    assert transport.closed
    again = RecordingTransport()
    report, _, _ = run(tmp_path, again, deliveries("ana@alcora.example", "luis@alcora.example"))
    assert again.attempts == [] and report.skipped == 2  # type: ignore[attr-defined]


def test_a_refusal_to_retry_is_retried_with_growing_capped_pauses_then_fails(tmp_path: Path) -> None:
    transport = RecordingTransport({"ana@alcora.example": [Outcome.RETRY, Outcome.RETRY]})
    report, ledger, clock = run(tmp_path, transport, deliveries("ana@alcora.example"))
    assert transport.tried() == ["ana@alcora.example"] * 3 and report.sent == 1  # type: ignore[attr-defined]
    assert [s for s in clock.sleeps if s >= 1] == [1.0, 1.5]  # 1 s, then 2 s capped at 1.5 s
    stubborn = RecordingTransport({"luis@alcora.example": [Outcome.RETRY] * 3})
    report, ledger, _ = run(tmp_path, stubborn, deliveries("luis@alcora.example"))
    assert len(stubborn.attempts) == PACE.max_attempts
    assert ledger.rows(WEEK, "failed") == [
        ("luis@alcora.example", "still refused after 3 attempts: retry by script")
    ]


def test_a_failed_recipient_is_not_retried_and_the_others_still_get_it(tmp_path: Path) -> None:
    transport = RecordingTransport({"gone@alcora.example": [Outcome.FAILED]})
    emails = ("ana@alcora.example", "gone@alcora.example", "luis@alcora.example")
    report, _, _ = run(tmp_path, transport, deliveries(*emails))
    assert transport.tried() == list(emails)
    assert report.sent == 2 and report.failed == [("gone@alcora.example", "failed by script")]  # type: ignore[attr-defined]
    assert not report.ok  # type: ignore[attr-defined]


def test_an_unknown_outcome_is_never_resent_unless_asked(tmp_path: Path) -> None:
    transport = RecordingTransport({"ana@alcora.example": [Outcome.UNKNOWN]})
    report, _, _ = run(tmp_path, transport, deliveries("ana@alcora.example"))
    assert report.unknown == [("ana@alcora.example", "unknown by script")]  # type: ignore[attr-defined]
    rerun = RecordingTransport()
    run(tmp_path, rerun, deliveries("ana@alcora.example"))
    assert rerun.attempts == []
    retried = RecordingTransport()
    report, ledger, _ = run(tmp_path, retried, deliveries("ana@alcora.example"), retry_unknown=True)
    assert retried.tried() == ["ana@alcora.example"] and states(ledger) == {"sent": 1}


def test_a_run_stops_after_too_many_failures_in_a_row(tmp_path: Path) -> None:
    emails = [f"p{i}@alcora.example" for i in range(6)]
    transport = RecordingTransport({e: [Outcome.FAILED] for e in emails})
    report, ledger, _ = run(tmp_path, transport, deliveries(*emails))
    assert transport.tried() == emails[:3]
    assert report.stopped.startswith("stopped after 3 deliveries in a row did not go through")  # type: ignore[attr-defined]
    assert states(ledger) == {"failed": 3, "pending": 3}


def test_the_rate_spaces_the_messages(tmp_path: Path) -> None:
    report, _, clock = run(
        tmp_path, RecordingTransport(), deliveries("a@alcora.example", "b@alcora.example", "c@alcora.example"),
        pace=Pace(rate=2),
    )  # fmt: skip
    assert report.sent == 3 and clock.sleeps == [0.5, 0.5]  # type: ignore[attr-defined]


def test_a_server_that_cannot_be_used_stops_the_run_with_nothing_marked_in_flight(tmp_path: Path) -> None:
    transport = RecordingTransport({"ana@alcora.example": [GeneratorError("login refused")]})
    with pytest.raises(GeneratorError, match="login refused"):
        run(tmp_path, transport, deliveries("ana@alcora.example", "luis@alcora.example"))
    ledger = Ledger(tmp_path / "deliveries.sqlite")
    assert states(ledger) == {"pending": 2} and transport.closed


def test_a_delivery_in_flight_when_the_machine_died_becomes_unknown(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "deliveries.sqlite")
    ledger.add(WEEK, [("ana@alcora.example", "es/all"), ("luis@alcora.example", "es/all")])
    ledger.mark(WEEK, "ana@alcora.example", "sending")
    ledger.close()
    transport = RecordingTransport()
    report, _, _ = run(tmp_path, transport, deliveries("ana@alcora.example", "luis@alcora.example"))
    assert transport.tried() == ["luis@alcora.example"]
    assert [email for email, _ in report.unknown] == ["ana@alcora.example"]  # type: ignore[attr-defined]


def test_personalize_puts_the_reader_in_to_and_gives_a_message_id_of_their_own() -> None:
    ana, luis = (d.recipient for d in deliveries("ana@alcora.example", "luis@alcora.example"))
    first, second = personalize(MESSAGE, ana, WEEK, "h"), personalize(MESSAGE, luis, WEEK, "h")
    assert b"To: Ana <ana@alcora.example>\r\n" in first and PLACEHOLDER_RECIPIENT.encode() not in first
    ids = [m.split(b"Message-ID: <", 1)[1].split(b">", 1)[0] for m in (first, second)]
    assert ids[0] != ids[1] and all(i.endswith(b".newsletter.2026-W48.es.all@alcora.example") for i in ids)
    assert first.endswith(b"\r\n\r\nHola.\r\n")
    with pytest.raises(ValueError, match="placeholder"):
        personalize(MESSAGE.replace(PLACEHOLDER_RECIPIENT.encode(), b"x@y.z"), ana, WEEK, "h")
