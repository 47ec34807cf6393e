"""A cache of the generated reads' answers that cannot serve stale data (SQLite only).

What is cached: the answer (status, JSON bytes, the headers the reply set) of a generated GET CRUD
operation (get one, list; never a user override, never an auth flow), keyed by the operation, its
path and query values and the caller (table, id, role, membership role, tenant values): everything
the access checks and the handler read besides the database itself. The caller is authenticated and
the role and rate-limit checks run on every request before the cache is asked; only 2xx answers are
kept, and at most `entries` of them (least recently used first out, and at most MAX_BYTES in all).

Why it is never stale: every answer is stored with the database's *stamp* read BEFORE the request
touched the database, and served only while the stamp is unchanged. The stamp is
- SQLite's `PRAGMA data_version`, read on one dedicated connection that never writes: it changes
  whenever any other connection commits (this process's pool, another uvicorn worker, `roundtrip db
  seed`, a user's sqlite3 shell), and
- a counter this process bumps after each write it commits (belt and braces for this process's own
  writes; costs nothing).
An answer read from a snapshot taken after the stamp was read reflects at least that stamp's data;
if anything committed in between, the stamp the next request reads differs and the answer is not
served. Both parts only grow, so a stamp older than the cache's is simply not used.

PostgreSQL never uses it: there is no cheap cross-process change counter there (a `data_version`
equivalent would need triggers on every table or LISTEN/NOTIFY, each with its own failure modes),
and its reads are network round trips whose cost a cache check would not remove reliably.
An in-memory SQLite database is left out too: another connection to `:memory:` is another database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

# Answers bigger than this are not kept (a page of 100 wide rows is ~100 KB); all kept answers together stay
# below MAX_BYTES, whatever the entry count allows.
MAX_ANSWER_BYTES = 1 << 20
MAX_BYTES = 64 << 20

Stamp = tuple[int, int]  # (PRAGMA data_version on the dedicated connection, this process's committed writes)


@dataclass(frozen=True, slots=True)
class Answer:
    """A cached reply: what `Kit.render` would build again, already rendered to bytes."""

    status: int
    body: bytes | None  # None: an empty reply (204/304)
    headers: Mapping[str, str]  # the headers the reply itself set (per-request ones are added on every hit)


class ReadCache:
    def __init__(self, engine: sa.Engine, entries: int) -> None:
        self._engine = engine
        self._conn: Any = None  # opened on first use (creating the app does not create the database file)
        self._lock = threading.Lock()
        self._writes = 0
        self._entries: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._bytes = 0
        self._stamp: Stamp = (-1, -1)  # the stamp every entry was stored under
        self.capacity = max(1, entries)
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_engine(cls, engine: sa.Engine, enabled: bool, entries: int) -> ReadCache | None:
        """A cache for a SQLite database file; None when turned off (READ_CACHE=false), on PostgreSQL and
        on an in-memory SQLite database (see the module docstring)."""
        if not enabled or entries < 1 or engine.dialect.name != "sqlite":
            return None
        url = engine.url
        if url.database in (None, "", ":memory:") or "memory" in str(url.query.get("mode", "")):
            return None
        return cls(engine, entries)

    def stamp(self) -> Stamp | None:
        """Read before the request's first database read (see the module docstring for why). None when the
        database cannot say (the request then neither uses nor fills the cache; its own read reports any error)."""
        with self._lock:
            writes = self._writes
            try:
                if self._conn is None:
                    self._conn = self._connect()
                version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except Exception:  # noqa: BLE001 - the DBAPI's error, whatever the driver
                return None
        return int(version), writes

    def _connect(self) -> Any:
        """A connection of its own, outside the pool, that only ever reads the pragma: data_version reports
        commits of OTHER connections, so this one must never write."""
        dialect = self._engine.dialect
        cargs, cparams = dialect.create_connect_args(self._engine.url)
        return dialect.loaded_dbapi.connect(*cargs, **{**cparams, "check_same_thread": False, "timeout": 30})

    def wrote(self) -> None:
        """This process committed (or may have committed) a write: no answer stored before is served again."""
        with self._lock:
            self._writes += 1

    def get(self, key: tuple[Any, ...], stamp: Stamp) -> Answer | None:
        with self._lock:
            self._adopt(stamp)
            found = self._entries.get(key) if stamp == self._stamp else None
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple[Any, ...], stamp: Stamp, answer: Answer) -> None:
        size = len(answer.body or b"") + len(key) * 16
        if size > MAX_ANSWER_BYTES:
            return
        with self._lock:
            self._adopt(stamp)
            if stamp != self._stamp:
                return  # read under an older stamp: the database has changed since
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body or b"") + len(key) * 16
            self._entries[key] = answer
            self._bytes += size
            while len(self._entries) > self.capacity or self._bytes > MAX_BYTES:
                k, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body or b"") + len(k) * 16

    def _adopt(self, stamp: Stamp) -> None:
        """A newer stamp (either part grew): every stored answer is of the old data; drop them all."""
        if stamp != self._stamp and stamp[0] >= self._stamp[0] and stamp[1] >= self._stamp[1]:
            self._entries.clear()
            self._bytes = 0
            self._stamp = stamp

    def __len__(self) -> int:
        return len(self._entries)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def caller_key(principal: Any, scope_columns: Any) -> tuple[Any, ...] | None:
    """Who is asking, as far as a generated read can tell callers apart: the account (table, id), its role,
    the membership role the role check found for the path's resource, and the tenant values its reads are
    scoped to. None: an anonymous caller."""
    if principal is None:
        return None
    row = principal.row
    tenant = tuple(row.get(c) for c in scope_columns or ()) if isinstance(row, Mapping) else ()
    return (principal.table, principal.id, principal.role, principal.claims.get("membership_role"), tenant)


def frozen(value: Any) -> Any:
    """A request value as a hashable key part (query lists as tuples); raises TypeError when it cannot be."""
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), frozen(v)) for k, v in value.items()))
    hash(value)
    return (value.__class__, value)  # True and 1, 1 and 1.0 are equal keys; as request values they differ
