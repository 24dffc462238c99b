"""One week's newsletter to a recipients file (a campaign): who gets which edition, a dry run, a
test copy of each edition, then the sending loop with its ledger and report."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.config import Config
from generator.config.smtp import default_port
from generator.errors import GeneratorError
from generator.model import Edition
from generator.send.ledger import Ledger
from generator.send.mailer import Delivery, Pace, Report, deliver, personalize
from generator.send.recipients import Recipient
from generator.send.transport import Outcome, SmtpTransport
from generator.urls import edition_label

LEDGER_FILE = "deliveries.sqlite"


@dataclass(frozen=True)
class SendSettings:
    host: str
    port: int
    security: str
    rate: float
    state_dir: Path


def resolve_settings(
    config: Config,
    host: str | None,
    port: int | None,
    security: str | None,
    rate: float | None,
    state_dir: Path,
    output_dir: Path,
) -> SendSettings:
    """Command-line options over site.toml's [smtp]; the ledger never inside output/."""
    state = state_dir.resolve()
    if state == output_dir.resolve() or output_dir.resolve() in state.parents:
        raise GeneratorError(
            f"the delivery ledger cannot live inside the output folder ({state})",
            hint="use the default .intranet/ or another --state folder",
        )
    chosen_security = security or config.smtp.security
    return SendSettings(
        host=host or config.smtp.host,
        port=port or config.smtp.port or default_port(chosen_security),
        security=chosen_security,
        rate=rate or config.smtp.rate,
        state_dir=state,
    )


def edition_of(recipient: Recipient) -> str:
    return edition_label(recipient.lang, recipient.audiences)


def plan(recipients: list[Recipient], messages: dict[Edition, bytes]) -> list[Delivery]:
    return [Delivery(r, edition_of(r), messages[(r.lang, r.audiences)]) for r in recipients]


def envelope_sender(config: Config) -> str:
    sender = config.newsletter.sender
    return sender.addr_spec if sender is not None else f"newsletter@{config.host}"


def transport_for(settings: SendSettings) -> SmtpTransport:
    return SmtpTransport(
        settings.host,
        settings.port,
        settings.security,
        user=os.environ.get("INTRANET_SMTP_USER") or None,
        password=os.environ.get("INTRANET_SMTP_PASSWORD") or None,
    )


def dry_run(
    week: str, deliveries: list[Delivery], settings: SendSettings, say: Callable[[str], None]
) -> None:
    ledger_path = settings.state_dir / LEDGER_FILE
    ledger = Ledger(ledger_path) if ledger_path.exists() else None
    waiting = 0
    for delivery in deliveries:
        status = ledger.status(week, delivery.recipient.email) if ledger else None
        note = f" (already {status})" if status in ("sent", "unknown", "failed") else ""
        waiting += status not in ("sent", "unknown")
        say(f"{delivery.recipient.email} → {delivery.edition}{note}")
    if ledger:
        ledger.close()
    editions = len({d.edition for d in deliveries})
    say(
        f"Dry run: {waiting} of {len(deliveries)} recipients would get week {week} "
        f"({editions} editions) through {settings.host}:{settings.port}; nothing was sent"
    )


def test_send(
    week: str, deliveries: list[Delivery], address: Recipient, settings: SendSettings, host: str, sender: str
) -> list[tuple[str, str]]:
    """One copy of each edition to `address`; nothing is recorded. Returns (edition, problem)."""
    transport = transport_for(settings)
    problems = []
    try:
        for edition in sorted({d.edition for d in deliveries}):
            message = next(d.message for d in deliveries if d.edition == edition)
            result = transport.send(sender, address.email, personalize(message, address, week, host))
            if result.outcome is not Outcome.SENT:
                problems.append((edition, result.detail))
    finally:
        transport.close()
    return problems


def waiting(week: str, deliveries: list[Delivery], ledger: Ledger, *, retry_unknown: bool) -> int:
    """How many recipients this run would mail: not sent yet (and not unknown, unless retried)."""
    states = [ledger.status(week, d.recipient.email) for d in deliveries]
    return sum(state != "sent" and (retry_unknown or state != "unknown") for state in states)


def send(
    week: str,
    deliveries: list[Delivery],
    settings: SendSettings,
    config: Config,
    *,
    retry_unknown: bool,
    progress: Callable[[int, int], None],
    pace: Pace | None = None,
) -> Report:
    ledger = Ledger(settings.state_dir / LEDGER_FILE)
    try:
        if not waiting(week, deliveries, ledger, retry_unknown=retry_unknown):
            return Report(
                week,
                skipped=sum(ledger.status(week, d.recipient.email) == "sent" for d in deliveries),
                unknown=ledger.rows(week, "unknown"),
                nothing_to_send=True,
            )
        return deliver(
            week,
            deliveries,
            transport_for(settings),
            ledger,
            envelope_sender(config),
            config.host,
            pace or Pace(rate=settings.rate),
            retry_unknown=retry_unknown,
            progress=progress,
        )
    finally:
        ledger.close()
