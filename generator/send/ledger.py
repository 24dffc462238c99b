"""The delivery ledger: one SQLite row per (week, recipient), committed before and after
each SMTP transaction, so a crash never causes a second copy.

pending → sending → sent | failed | unknown. A row still `sending` when a run starts
belongs to a run that died mid-transaction: the message may have been delivered, so
it becomes `unknown` and is resent only with --retry-unknown.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

STATUSES = ("pending", "sending", "sent", "failed", "unknown")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    week TEXT NOT NULL,
    email TEXT NOT NULL,
    edition TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (week, email)
)
"""


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)  # every statement commits at once
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process
        self._db.execute(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(self, week: str, rows: Iterable[tuple[str, str]]) -> None:
        """(email, edition) rows as pending; rows already known keep their status."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO deliveries (week, email, edition, status) VALUES (?, ?, ?, 'pending')",
                ((week, email.lower(), edition) for email, edition in rows),
            )

    def interrupted_to_unknown(self, week: str) -> list[str]:
        """Rows left `sending` by a run that died: their outcome is unknown."""
        found = [
            r[0]
            for r in self._db.execute(
                "SELECT email FROM deliveries WHERE week=? AND status='sending'", (week,)
            )
        ]
        self._db.execute(
            "UPDATE deliveries SET status='unknown', detail='the run stopped during this delivery' "
            "WHERE week=? AND status='sending'",
            (week,),
        )
        return found

    def status(self, week: str, email: str) -> str | None:
        row = self._db.execute(
            "SELECT status FROM deliveries WHERE week=? AND email=?", (week, email.lower())
        ).fetchone()
        return str(row[0]) if row else None

    def mark(self, week: str, email: str, status: str, detail: str = "") -> None:
        assert status in STATUSES
        self._db.execute(
            "UPDATE deliveries SET status=?, detail=?, attempts=attempts + (?='sending') "
            "WHERE week=? AND email=?",
            (status, detail, status, week, email.lower()),
        )

    def counts(self, week: str) -> dict[str, int]:
        found = dict.fromkeys(STATUSES, 0)
        for status, count in self._db.execute(
            "SELECT status, COUNT(*) FROM deliveries WHERE week=? GROUP BY status", (week,)
        ):
            found[status] = count
        return found

    def rows(self, week: str, status: str) -> list[tuple[str, str]]:
        """(email, detail) of the week's rows in `status`."""
        return [
            (str(e), str(d))
            for e, d in self._db.execute(
                "SELECT email, detail FROM deliveries WHERE week=? AND status=? ORDER BY email",
                (week, status),
            )
        ]
