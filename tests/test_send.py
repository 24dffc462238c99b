"""Mailing the newsletter through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import email
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest

from generator.build import compose_messages, load_sources
from generator.cli import main
from generator.config import load_config
from generator.rules.weeks import IsoWeek
from generator.send.campaign import plan
from generator.send.ledger import Ledger
from generator.send.mailer import Pace, deliver
from generator.send.recipients import parse_recipients, read_recipients
from generator.send.transport import SmtpTransport
from tests.conftest import SITE_TOML, MakeProject, announcement
from tests.smtp_server import Recorder

WEEK = "2026-W48"
FAST = Pace(rate=1000, max_attempts=4, backoff=0.01, max_backoff=0.05, max_failures_in_a_row=5)


def csv(rows: list[str]) -> str:
    return "email,name,lang,audiences\n" + "\n".join(rows) + "\n"


def people(count: int) -> list[str]:
    langs = ("es", "fr", "en")
    audiences = ("", "madrid", "cdmx;managers", "managers")
    return [
        f"person{i:04}@alcora.example,Persona {i},{langs[i % 3]},{audiences[i % 4]}" for i in range(count)
    ]


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project({"content/announcements/a.md": announcement("Hola equipo", "2026-11-18")})


def args(project: Path, port: int, recipients: Path, *extra: str) -> list[str]:
    return [
        "send", "--project", str(project), "--today", "2026-11-23", "--week", WEEK,
        "--recipients", str(recipients), "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
        "--smtp-security", "none", "--rate", "500", *extra,
    ]  # fmt: skip


def test_200_recipients_get_one_copy_each_and_a_second_run_sends_nothing(
    project: Path, smtp_server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = smtp_server
    recipients = project / "recipients.csv"
    recipients.write_text(csv(people(200)), encoding="utf-8")
    assert main(args(project, port, recipients)) == 0
    out = capsys.readouterr()
    assert "Week 2026-W48: sent 200, failed 0, unknown 0, skipped 0 (already sent)" in out.out
    assert "warning: --smtp-security none" in out.err
    counts = recorder.count()
    assert len(counts) == 200 and set(counts.values()) == {1}
    assert main(args(project, port, recipients)) == 0
    second = capsys.readouterr()
    assert "Week 2026-W48: nothing to send: 200 of 200 recipients already have it" in second.out
    assert "Sending" not in second.err
    assert sum(recorder.count().values()) == 200


def test_each_recipient_gets_their_language_and_audiences_with_their_name_in_to(
    project: Path, smtp_server: tuple[Recorder, int]
) -> None:
    recorder, port = smtp_server
    recipients = project / "recipients.csv"
    recipients.write_text(
        csv(["josé@alcora.example,José Núñez,fr,madrid"]).replace("josé", "jose"), encoding="utf-8"
    )
    assert main(args(project, port, recipients)) == 0
    ((rcpt, raw),) = recorder.received
    message = email.message_from_bytes(raw, policy=policy.default)
    assert rcpt == "jose@alcora.example"
    assert message["To"] == "José Núñez <jose@alcora.example>"
    assert raw.isascii() and b"=?utf-8?" in raw  # the name is encoded on the wire
    assert message["Subject"] == "Lettre hebdomadaire — semaine 48"
    assert message["Message-ID"].endswith(".newsletter.2026-W48.fr.madrid@intranet.example.com>")
    assert message["Message-ID"] != "<newsletter.2026-W48.fr.madrid@intranet.example.com>"


def test_send_mails_what_the_build_published_and_composes_only_the_editions_it_did_not(
    project: Path, smtp_server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = smtp_server
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 0
    published = project / "output/newsletter/2026-W48/es/madrid/message.eml"
    # An edit after the build is not mailed until the newsletter is rebuilt, and send says so.
    edited = project / "content/announcements/a.md"
    edited.write_text(announcement("Título cambiado", "2026-11-18"), encoding="utf-8")
    later = published.stat().st_mtime + 60  # saved a minute after the build
    os.utime(edited, (later, later))
    recipients = project / "recipients.csv"
    recipients.write_text(
        csv(["ana@alcora.example,Ana,es,madrid", "luis@alcora.example,Luis,es,madrid;managers"]),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(args(project, port, recipients)) == 0
    out = capsys.readouterr()
    assert "2026-W48: 1 editions as published in" in out.out
    assert "composed now from content/: es/madrid+managers" in out.out
    assert "content/announcements/a.md changed after week 2026-W48's newsletter was built" in out.err
    mailed = dict(recorder.received)
    body = email.message_from_bytes(mailed["ana@alcora.example"], policy=policy.default)
    assert "Hola equipo" in body.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        mailed["ana@alcora.example"].split(b"\r\n\r\n", 1)[1]
        == published.read_bytes().split(b"\r\n\r\n", 1)[1]
    )  # the published bytes, only the To header personalised
    both = email.message_from_bytes(mailed["luis@alcora.example"], policy=policy.default)
    assert "Título cambiado" in both.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_the_recipients_file_is_checked_completely_before_anything_is_sent(
    project: Path, smtp_server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = smtp_server
    recipients = project / "recipients.csv"
    recipients.write_text(
        csv(
            [
                "ana@alcora.example,Ana,es,",
                "not-an-address,Luis,es,",
                "ANA@alcora.example,Ana bis,es,",
                'eve@alcora.example,"Eve\r\nBcc: everyone@alcora.example",es,',
                "marc@alcora.example,Marc,de,madird",
                "x@alcora.example,X,es",
            ]
        ),
        encoding="utf-8",
    )
    assert main(args(project, port, recipients)) == 1
    err = capsys.readouterr().err
    assert 'recipients.csv:3: "not-an-address" is not an e-mail address' in err
    assert "recipients.csv:4: ANA@alcora.example is listed twice (lines 2 and 4)" in err
    assert "recipients.csv:5: the name holds a line break, which a mail header cannot" in err
    assert 'recipients.csv:7: unknown language "de"' in err
    assert 'recipients.csv:7: unknown audience "madird"; did you mean "madrid"?' in err
    assert "recipients.csv:8: expected 4 values (email,name,lang,audiences), found 3" in err
    assert recorder.received == []
    assert not (project / ".intranet/deliveries.sqlite").exists()


def deliver_to(project: Path, port: int, rows: list[str], **options: object) -> tuple[object, Ledger]:
    """The sending loop itself, with fast retries, against the real server."""
    config = load_config(project / "content/site.toml")
    recipients = parse_recipients(csv(rows), Path("recipients.csv"), config)
    messages = compose_messages(
        load_sources(project, config=config), IsoWeek.parse(WEEK), {(r.lang, r.audiences) for r in recipients}
    )
    ledger = Ledger(project / ".intranet/deliveries.sqlite")
    transport = SmtpTransport("127.0.0.1", port, "none", timeout=5)
    report = deliver(WEEK, plan(recipients, messages), transport, ledger, "news@alcora.example", "h", FAST,
                     **options)  # type: ignore[arg-type]  # fmt: skip
    return report, ledger


def test_451_and_421_are_retried_on_a_new_connection_until_delivered(
    project: Path, smtp_server: tuple[Recorder, int]
) -> None:
    recorder, port = smtp_server
    recorder.behaviour.data["a@alcora.example"] = ["451 4.3.0 try again later", "451 4.3.0 still busy"]
    recorder.behaviour.data["b@alcora.example"] = ["421 4.3.2 closing, come back"]
    report, _ = deliver_to(
        project, port, ["a@alcora.example,A,es,", "b@alcora.example,B,es,", "c@alcora.example,C,es,"]
    )
    assert report.sent == 3 and report.ok  # type: ignore[attr-defined]
    assert recorder.count() == {"a@alcora.example": 1, "b@alcora.example": 1, "c@alcora.example": 1}


def test_a_550_fails_that_recipient_and_the_others_are_still_delivered(
    project: Path, smtp_server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = smtp_server
    recorder.behaviour.rcpt["gone@alcora.example"] = "550 5.1.1 no such user"
    recipients = project / "recipients.csv"
    recipients.write_text(
        csv(["a@alcora.example,A,es,", "gone@alcora.example,G,es,", "c@alcora.example,C,es,"])
    )
    assert main(args(project, port, recipients)) == 1
    out = capsys.readouterr()
    assert "failed: gone@alcora.example: 550 5.1.1 no such user" in out.err
    assert "sent 2, failed 1, unknown 0" in out.out
    assert set(recorder.count()) == {"a@alcora.example", "c@alcora.example"}


def test_a_connection_dropped_after_data_is_unknown_and_not_resent_unless_asked(
    project: Path, smtp_server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = smtp_server
    recorder.behaviour.drop_after_data.add("b@alcora.example")
    recipients = project / "recipients.csv"
    recipients.write_text(csv(["a@alcora.example,A,es,", "b@alcora.example,B,es,", "c@alcora.example,C,es,"]))
    assert main(args(project, port, recipients)) == 1
    out = capsys.readouterr()
    assert "unknown: b@alcora.example: connection lost after the message was handed over" in out.err
    assert "sent 2, failed 0, unknown 1" in out.out
    assert recorder.count()["b@alcora.example"] == 1  # the server did get it
    assert main(args(project, port, recipients)) == 1  # a rerun does not resend it
    assert recorder.count()["b@alcora.example"] == 1
    recorder.behaviour.drop_after_data.clear()
    assert main(args(project, port, recipients, "--retry-unknown")) == 0
    assert recorder.count() == {"a@alcora.example": 1, "b@alcora.example": 2, "c@alcora.example": 1}


def test_credentials_come_from_the_environment_and_are_never_shown_or_stored(
    project: Path,
    smtp_server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, port = smtp_server
    monkeypatch.setenv("INTRANET_SMTP_USER", "relay-user")
    monkeypatch.setenv("INTRANET_SMTP_PASSWORD", "S3cret-Pa55")
    recipients = project / "recipients.csv"
    recipients.write_text(csv(["a@alcora.example,A,es,"]))
    assert main(args(project, port, recipients)) == 0
    assert recorder.logins == [("relay-user", "S3cret-Pa55")]
    out = capsys.readouterr()
    assert "S3cret-Pa55" not in out.out + out.err
    stored = b"".join(p.read_bytes() for p in (project / ".intranet").rglob("*") if p.is_file())
    assert b"S3cret-Pa55" not in stored
    (project / "content/site.toml").write_text(SITE_TOML + '\n[smtp]\npassword = "oops"\n')
    assert main(args(project, port, recipients)) == 1
    assert "password must not be written in site.toml" in capsys.readouterr().err


def test_dry_run_and_test_to_send_or_record_nothing_for_the_list(
    project: Path, smtp_server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = smtp_server
    recipients = project / "recipients.csv"
    recipients.write_text(csv(people(8)))
    assert main(args(project, port, recipients, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "person0001@alcora.example → fr/madrid" in out
    assert "person0002@alcora.example → en/cdmx+managers" in out
    assert "Dry run: 8 of 8 recipients would get week 2026-W48" in out
    assert recorder.received == [] and not (project / ".intranet/deliveries.sqlite").exists()
    assert main(args(project, port, recipients, "--test-to", "comms@alcora.example")) == 0
    editions = {
        "es/all",
        "fr/madrid",
        "en/cdmx+managers",
        "es/managers",
        "fr/all",
        "en/madrid",
        "es/cdmx+managers",
        "fr/managers",
    }
    assert recorder.count() == {"comms@alcora.example": len(editions)}
    assert not (project / ".intranet/deliveries.sqlite").exists()


def test_starttls_is_required_unless_security_is_none(
    project: Path, smtp_server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    _, port = smtp_server
    recipients = project / "recipients.csv"
    recipients.write_text(csv(["a@alcora.example,A,es,"]))
    command = [a if a != "none" else "starttls" for a in args(project, port, recipients)]
    assert main(command) == 1
    assert "does not offer STARTTLS" in capsys.readouterr().err


def test_the_ledger_never_lives_in_the_output_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipients = project / "recipients.csv"
    recipients.write_text(csv(["a@alcora.example,A,es,"]))
    assert main([*args(project, 1, recipients), "--state", str(project / "output/state")]) == 1
    assert "the delivery ledger cannot live inside the output folder" in capsys.readouterr().err


def test_a_send_killed_halfway_and_restarted_delivers_each_recipient_once(
    project: Path, smtp_server: tuple[Recorder, int]
) -> None:
    recorder, port = smtp_server
    recipients = project / "recipients.csv"
    recipients.write_text(csv(people(200)))
    command = [sys.executable, "-m", "generator", *args(project, port, recipients)]
    command[command.index("--rate") + 1] = "60"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while sum(recorder.count().values()) < 60 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    first = sum(recorder.count().values())
    assert 60 <= first < 200
    command[command.index("--rate") + 1] = "500"
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    counts = recorder.count()
    unknown = [line for line in rerun.stderr.splitlines() if line.startswith("unknown: ")]
    assert len(unknown) <= 1
    assert all(n == 1 for n in counts.values())
    missing = {f"person{i:04}@alcora.example" for i in range(200)} - set(counts)
    assert len(missing) <= 1  # at most the one in flight, if the server had not taken it yet
    assert missing <= {line.split()[1].rstrip(":") for line in unknown}
    with sqlite3.connect(project / ".intranet/deliveries.sqlite") as db:
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())
    assert statuses.get("sent", 0) + statuses.get("unknown", 0) == 200
    assert statuses.get("unknown", 0) == len(unknown)


def test_tls_verifies_the_server_certificate(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server whose certificate nobody vouches for gets nothing; the ledger keeps everyone pending."""
    import ssl

    from aiosmtpd.controller import Controller

    from tests.smtp_server import Recorder, free_port

    openssl = shutil.which("openssl")
    if openssl is None:
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is needed to make a test certificate")
        pytest.skip("no openssl to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder, port = Recorder(), free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=False
    )
    controller.start()
    try:
        recipients = project / "recipients.csv"
        recipients.write_text(csv(["a@alcora.example,A,es,"]))
        command = [a if a != "none" else "starttls" for a in args(project, port, recipients)]
        assert main(command) == 1
        err = capsys.readouterr().err
        assert "presented a certificate that cannot be verified" in err
        assert recorder.received == []
        assert Ledger(project / ".intranet/deliveries.sqlite").status(WEEK, "a@alcora.example") == "pending"
    finally:
        controller.stop()


def test_a_bad_test_to_address_is_named_plainly(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipients = project / "recipients.csv"
    recipients.write_text(csv(["a@alcora.example,A,es,"]))
    assert main(args(project, 1, recipients, "--test-to", "comms at alcora")) == 1
    assert capsys.readouterr().err.startswith('--test-to "comms at alcora" is not an e-mail address')


@pytest.mark.parametrize(
    ("header", "encoding", "delimiter"),
    [
        ("Correo;Nombre;Idioma;Audiencias", "utf-8-sig", ";"),  # Excel in Spanish, "CSV UTF-8"
        ("Correo electrónico;Nombre;Idioma;Audiencias", "cp1252", ";"),  # "CSV (delimitado por comas)"
        ("Courriel;Nom;Langue;Audiences", "cp1252", ";"),  # Excel in French
        ("Nom\tCourriel\tAudiences\tLangue", "utf-16", "\t"),  # "Texte Unicode", columns moved
    ],
)
def test_a_recipients_file_saved_by_excel_in_spanish_or_french_is_read(
    project: Path, header: str, encoding: str, delimiter: str
) -> None:
    config = load_config(project / "content/site.toml")
    columns = [c.strip() for c in header.split(delimiter)]
    values = {
        "email": "jose@alcora.example",
        "name": "José Núñez",
        "lang": "fr",
        "audiences": "madrid;managers",
    }
    kinds = {"Correo": "email", "Correo electrónico": "email", "Courriel": "email", "Nombre": "name",
             "Nom": "name", "Idioma": "lang", "Langue": "lang", "Audiencias": "audiences",
             "Audiences": "audiences"}  # fmt: skip
    row = delimiter.join(
        f'"{values[kinds[c]]}"' if ";" in values[kinds[c]] else values[kinds[c]] for c in columns
    )
    path = project / "destinatarios.csv"
    path.write_bytes(f"{header}\r\n{row}\r\n".encode(encoding))
    (recipient,) = read_recipients(path, config)
    assert (recipient.email, recipient.name, recipient.lang, recipient.audiences) == (
        "jose@alcora.example",
        "José Núñez",
        "fr",
        ("madrid", "managers"),
    )


def test_a_refused_connection_stops_the_run_at_once_with_one_message(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port on this machine where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recipients = project / "recipients.csv"
    recipients.write_text(csv(people(4)), encoding="utf-8")
    started = time.monotonic()
    assert main(args(project, port, recipients)) == 1
    assert time.monotonic() - started < 10  # not 5 retries per recipient
    err = capsys.readouterr().err
    assert f"the mail server 127.0.0.1:{port} refused the connection; check --smtp-host" in err
    assert err.count("refused the connection") == 1
    ledger = Ledger(project / ".intranet" / "deliveries.sqlite")
    assert ledger.rows(WEEK, "pending") and not ledger.rows(WEEK, "failed")  # all will go on the next run
    ledger.close()
