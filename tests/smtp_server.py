"""A real SMTP server on 127.0.0.1 (aiosmtpd) whose answers a test can script."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Behaviour:
    """What the server does, by recipient."""

    rcpt: dict[str, str] = field(default_factory=dict)  # permanent answer to RCPT, e.g. "550 …"
    data: dict[str, list[str]] = field(default_factory=dict)  # answers to DATA, one per attempt
    drop_after_data: set[str] = field(default_factory=set)  # keep the message, then hang up
    everyone: list[str] = field(default_factory=list)  # answers to DATA for every recipient first


class Recorder:
    def __init__(self, keep: bool = True) -> None:
        self.behaviour = Behaviour()
        self.keep = keep  # keep each message (tests); False only counts them (benchmarks)
        self.received: list[tuple[str, bytes]] = []  # (recipient, message) the server accepted
        self.logins: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        answer = self.behaviour.rcpt.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        recipient = envelope.rcpt_tos[0]
        with self._lock:
            if self.behaviour.everyone:
                return self.behaviour.everyone.pop(0)
            scripted = self.behaviour.data.get(recipient)
            if scripted:
                return scripted.pop(0)
            self.received.append((recipient, envelope.original_content if self.keep else b""))
            if recipient in self.behaviour.drop_after_data:
                server.transport.close()
        return "250 2.0.0 queued"

    def count(self) -> Counter[str]:
        with self._lock:
            return Counter(r for r, _ in self.received)


def _authenticate(recorder: Recorder) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            recorder.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return check


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def running_server(keep: bool = True) -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder(keep)
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate(recorder),
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
