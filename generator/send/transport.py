"""The SMTP wire: one connection reused for many messages, and each transaction's outcome.

The DATA phase is driven by hand so the outcome is exact: once the message has been
handed over, a lost connection means the outcome is *unknown* (the server may have
accepted it), never "try again" — that is what keeps anyone from getting it twice.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from enum import Enum

from generator.errors import GeneratorError


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"  # 4xx or a connection lost before the message was handed over
    FAILED = "failed"  # 5xx: this recipient will not get it from this server
    UNKNOWN = "unknown"  # the connection was lost after the message was handed over


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str = ""


class SmtpTransport:
    """Sends over one connection, opened on first use and after any failure."""

    def __init__(
        self,
        host: str,
        port: int,
        security: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self._user, self._password = user, password
        self._timeout = timeout
        self._context = context or ssl.create_default_context()  # verifies the server's certificate
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        try:
            if self.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self._timeout, context=self._context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self._timeout)
        except ssl.SSLCertVerificationError as exc:
            raise _untrusted(self.host, exc) from None
        except socket.gaierror as exc:  # no such host: retrying cannot help
            raise GeneratorError(
                f'cannot find the mail server "{self.host}" ({exc.strerror})',
                hint="check --smtp-host or host in [smtp] of content/site.toml; nothing was sent to anyone",
            ) from None
        except ConnectionRefusedError:  # nothing listens there: retrying cannot help either
            raise GeneratorError(
                f"the mail server {self.host}:{self.port} refused the connection",
                hint="check --smtp-host, --smtp-port and --smtp-security (or [smtp] in content/site.toml); "
                "run again once it answers: who already got the newsletter will not get it twice",
            ) from None
        try:
            connection.ehlo()
            if self.security == "starttls":
                if not connection.has_extn("starttls"):
                    raise GeneratorError(
                        f"the mail server {self.host}:{self.port} does not offer STARTTLS",
                        hint="use --smtp-security ssl, or none only on a trusted network",
                    )
                try:
                    connection.starttls(context=self._context)
                except ssl.SSLCertVerificationError as exc:
                    raise _untrusted(self.host, exc) from None
                connection.ehlo()
            if self._user:
                try:
                    connection.login(self._user, self._password or "")
                except smtplib.SMTPAuthenticationError:
                    raise GeneratorError(
                        f"the mail server refused the login of INTRANET_SMTP_USER ({self._user})",
                        hint="check INTRANET_SMTP_USER and INTRANET_SMTP_PASSWORD",
                    ) from None
        except BaseException:
            _quietly_close(connection)
            raise
        self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(self._connection)
            self._connection = None

    def _drop(self) -> None:
        if self._connection is not None:
            _quietly_close(self._connection)
            self._connection = None

    def send(self, sender: str, recipient: str, data: bytes) -> Result:
        """One transaction: MAIL, RCPT, DATA. Never raises for the server's answers."""
        try:
            connection = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            return Result(Outcome.RETRY, f"cannot connect to {self.host}:{self.port}: {exc}")
        handed_over = False
        try:
            code, message = connection.mail(sender)
            if code not in (250, 251):
                return self._refused(connection, code, message)
            code, message = connection.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(connection, code, message)
            code, message = connection.docmd("DATA")
            if code != 354:
                return self._refused(connection, code, message)
            connection.send(_dot_stuffed(data))
            handed_over = True
            code, message = connection.getreply()
            if code == 250:
                return Result(Outcome.SENT, _text(message))
            return self._refused(connection, code, message)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            if handed_over:
                return Result(Outcome.UNKNOWN, f"connection lost after the message was handed over: {exc}")
            return Result(Outcome.RETRY, f"connection lost: {exc}")

    def _refused(self, connection: smtplib.SMTP, code: int, message: bytes | str) -> Result:
        detail = f"{code} {_text(message)}"
        if code < 500:  # 4xx (and nonsense): try again later on a new connection
            self._drop()
        else:
            try:
                connection.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
        return Result(Outcome.FAILED if 500 <= code < 600 else Outcome.RETRY, detail)


def _untrusted(host: str, exc: ssl.SSLCertVerificationError) -> GeneratorError:
    return GeneratorError(
        f"the mail server {host} presented a certificate that cannot be verified ({exc.verify_message})",
        hint="install the company's CA certificate on this machine; nothing was sent",
    )


def _dot_stuffed(data: bytes) -> bytes:
    """The message as the DATA phase sends it: CRLF lines, leading dots doubled, then CRLF.CRLF."""
    if data.count(b"\n") != data.count(b"\r\n"):  # bare LF line endings: make them CRLF
        data = re.sub(rb"\r?\n", b"\r\n", data)
    if data.startswith(b".") or b"\r\n." in data:
        data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else message


def _quietly_close(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        connection.close()
