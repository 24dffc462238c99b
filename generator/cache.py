"""What a build keeps for the next one, in a git-ignored folder (PROJECT/.intranet/cache/).

Only ever an optimisation: every entry is keyed by a digest of everything that produced
it (the input's bytes, the settings and the code that made it), so a stale entry is never
found, and deleting the folder never changes an output byte, only the time it takes.

- `Store`: text values by key, in one SQLite file (rendered Markdown bodies). Entries no
  build asked for are dropped when the store is saved, so it does not grow forever.
- `digest`: the one hash function, and `CODE`, the digest of this package's own files
  (code, templates, catalogs), part of every key.
"""

from __future__ import annotations

import hashlib
import sqlite3
from functools import cache
from pathlib import Path

FOLDER = Path(".intranet") / "cache"
STORE_FILE = "content.sqlite"


def digest(*parts: str | bytes) -> str:
    """A short, collision-safe digest of several texts (each one delimited by its length)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@cache
def code_digest() -> str:
    """This package's files: a new version of the code misses every old entry."""
    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=20)
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".po", ".mo", ".html", ".txt", ".css", ".xml", ".svg"}:
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class Store:
    """key → text, in memory, loaded from and saved to one SQLite file (or memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: dict[str, str] = {}
        self._new: dict[str, str] = {}
        self._used: set[str] = set()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=30)
                self._db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT)")
            except (OSError, sqlite3.Error):
                self._db = None  # a read-only or broken cache only makes the build slower

    def get(self, key: str) -> str | None:
        self._used.add(key)
        if key in self._new:
            return self._new[key]
        if key in self._known:
            return self._known[key]
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is not None:
            self._known[key] = row[0]
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self._used.add(key)
        self._new[key] = value

    def forget_unused(self) -> None:
        """Start a new build: entries it does not ask for are dropped at the next save."""
        self._used = set()

    def save(self) -> None:
        """Write the new entries and drop the ones this build did not use."""
        self._known.update(self._new)
        new, self._new = self._new, {}
        self._known = {k: v for k, v in self._known.items() if k in self._used}
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", new.items())
                stale = [
                    row[0] for row in self._db.execute("SELECT key FROM entries") if row[0] not in self._used
                ]
                self._db.executemany("DELETE FROM entries WHERE key = ?", ((k,) for k in stale))
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
