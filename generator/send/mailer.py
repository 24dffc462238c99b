"""The sending loop: each recipient's copy, paced, retried, and recorded in the ledger.

Every recipient is delivered at most once across crashes and reruns: a row is marked
`sending` (committed) before its transaction and `sent`, `failed` or `unknown`
(committed) after it. 4xx answers and connections lost before the message was
handed over are retried with bounded exponential backoff on a new connection; 5xx
fails that recipient and the run goes on; too many failures in a row stop the run.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import policy
from typing import Protocol

from generator.errors import GeneratorError
from generator.model import PLACEHOLDER_RECIPIENT
from generator.send.ledger import Ledger
from generator.send.recipients import Recipient
from generator.send.transport import Outcome, Result

PLACEHOLDER_TO = f"To: {PLACEHOLDER_RECIPIENT}\r\n".encode()


class Transport(Protocol):
    """What the loop needs of the wire (SmtpTransport, or a fake in tests)."""

    def send(self, sender: str, recipient: str, data: bytes) -> Result: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Pace:
    rate: float = 10.0  # messages per second at most
    max_attempts: int = 5  # per recipient, for 4xx and dropped connections
    backoff: float = 1.0  # seconds before the 2nd attempt, doubled each time…
    max_backoff: float = 30.0  # …up to this
    max_failures_in_a_row: int = 20  # then the run stops: something is wrong with the server


@dataclass(frozen=True)
class Delivery:
    recipient: Recipient
    edition: str  # "es/madrid+managers"
    message: bytes  # the edition's message.eml, with the placeholder To


@dataclass
class Report:
    week: str
    sent: int = 0  # in this run
    skipped: int = 0  # already sent by an earlier run
    failed: list[tuple[str, str]] = field(default_factory=list)  # (email, reason), whole week
    unknown: list[tuple[str, str]] = field(default_factory=list)
    stopped: str = ""  # why the run stopped early, if it did
    nothing_to_send: bool = False  # every recipient already has it (or is unknown, not retried)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.unknown or self.stopped)


def personalize(message: bytes, recipient: Recipient, week: str, host: str) -> bytes:
    """The edition's message with the recipient in To and a Message-ID of their own."""
    to = policy.SMTP.fold_binary("To", policy.SMTP.header_factory("To", str(recipient.address)))
    digest = hashlib.sha1(recipient.email.lower().encode()).hexdigest()[:12]
    head, sep, body = message.partition(b"\r\n\r\n")
    head = head + b"\r\n"
    if PLACEHOLDER_TO not in head:
        raise ValueError("the message has no placeholder To header")
    head = head.replace(PLACEHOLDER_TO, to, 1)
    start = head.index(b"Message-ID: <") + len(b"Message-ID: <")
    head = head[:start] + f"{digest}.".encode() + head[start:]
    return head[:-2] + sep + body


def deliver(
    week: str,
    deliveries: Iterable[Delivery],
    transport: Transport,
    ledger: Ledger,
    sender: str,
    host: str,
    pace: Pace,
    *,
    retry_unknown: bool = False,
    progress: Callable[[int, int], None] = lambda done, total: None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Report:
    deliveries = list(deliveries)
    ledger.add(week, ((d.recipient.email, d.edition) for d in deliveries))
    ledger.interrupted_to_unknown(week)
    report = Report(week)
    interval = 1.0 / pace.rate
    next_slot = clock()
    in_a_row = 0

    def wait_for_slot() -> None:
        nonlocal next_slot
        now = clock()
        if now < next_slot:
            sleep(next_slot - now)
        next_slot = max(now, next_slot) + interval

    try:
        for done, delivery in enumerate(deliveries, start=1):
            email = delivery.recipient.email
            status = ledger.status(week, email)
            if status == "sent":
                report.skipped += 1
                progress(done, len(deliveries))
                continue
            if status == "unknown" and not retry_unknown:
                progress(done, len(deliveries))
                continue
            data = personalize(delivery.message, delivery.recipient, week, host)
            result = _attempts(week, email, data, transport, ledger, sender, pace, wait_for_slot, sleep)
            if result.outcome is Outcome.SENT:
                report.sent += 1
                in_a_row = 0
            else:
                in_a_row += 1
            progress(done, len(deliveries))
            if in_a_row >= pace.max_failures_in_a_row:
                report.stopped = (
                    f"stopped after {in_a_row} deliveries in a row did not go through; "
                    f"the last answer was: {result.detail}"
                )
                break
    finally:
        transport.close()
    report.failed = ledger.rows(week, "failed")
    report.unknown = ledger.rows(week, "unknown")
    return report


def _attempts(
    week: str,
    email: str,
    data: bytes,
    transport: Transport,
    ledger: Ledger,
    sender: str,
    pace: Pace,
    wait_for_slot: Callable[[], None],
    sleep: Callable[[float], None],
) -> Result:
    result = Result(Outcome.RETRY)
    for attempt in range(1, pace.max_attempts + 1):
        wait_for_slot()
        ledger.mark(week, email, "sending")
        try:
            result = transport.send(sender, email, data)
        except (
            GeneratorError
        ):  # the server cannot be used at all (login, certificate): nothing was handed over
            ledger.mark(week, email, "pending")
            raise
        if result.outcome is Outcome.SENT:
            ledger.mark(week, email, "sent", result.detail)
            return result
        if result.outcome is Outcome.FAILED:
            ledger.mark(week, email, "failed", result.detail)
            return result
        if result.outcome is Outcome.UNKNOWN:
            ledger.mark(week, email, "unknown", result.detail)
            return result
        ledger.mark(week, email, "pending", result.detail)  # not handed over: safe to try again
        if attempt < pace.max_attempts:
            sleep(min(pace.backoff * 2 ** (attempt - 1), pace.max_backoff))
    detail = f"still refused after {pace.max_attempts} attempts: {result.detail}"
    ledger.mark(week, email, "failed", detail)
    return Result(Outcome.FAILED, detail)
