"""[smtp] of site.toml: where the newsletter is relayed. Credentials never live here:
they come from INTRANET_SMTP_USER and INTRANET_SMTP_PASSWORD only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.config.reader import Reader

SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int | None = None  # default by security: 587 starttls, 465 ssl, 25 none
    security: str = "starttls"
    rate: float = 10.0  # messages per second at most


def default_port(security: str) -> int:
    return {"starttls": 587, "ssl": 465}.get(security, 25)


def parse_smtp(r: Reader, value: Any) -> SmtpSettings:
    table = r.table(value, "smtp")
    r.unknown_keys(table, {"host", "port", "security", "rate", "user", "password"}, "smtp")
    for secret in ("user", "password"):
        if secret in table:
            r.error(
                f"{secret} must not be written in site.toml",
                "smtp",
                secret,
                hint=f"set the environment variable INTRANET_SMTP_{secret.upper()} instead",
            )
    host = table.get("host", "localhost")
    if not isinstance(host, str) or not host or any(c.isspace() for c in host):
        r.error("host must be the mail server's name", "smtp", "host")
        host = "localhost"
    port = table.get("port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        r.error(f"port must be a number from 1 to 65535, not {port!r}", "smtp", "port")
        port = None
    security = r.choice(table.get("security", "starttls"), SECURITY, "smtp", "security") or "starttls"
    rate = table.get("rate", 10)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
        r.error(f"rate must be a number of messages per second above 0, not {rate!r}", "smtp", "rate")
        rate = 10
    return SmtpSettings(host, port, security, float(rate))
