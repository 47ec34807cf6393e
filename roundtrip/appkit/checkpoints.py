"""WAL checkpoints off the request path (SQLite database files only).

In WAL mode a commit appends the changed pages to the `-wal` file; a *checkpoint* copies them back into the
database file and syncs it. SQLite runs one on its own inside the commit that takes the log past 1000 pages
(`wal_autocheckpoint`): that request pays for copying ~4 MB and an fsync (tens of milliseconds), which averaged
over a stream of creates was most of what a commit cost (~180 µs of a ~1 ms create, against ~20 µs for the
commit itself).

So the app's pooled connections turn the automatic checkpoint off, and:
1. one background thread, woken by the writes this process commits, at most every INTERVAL seconds, runs a
   PASSIVE checkpoint on a connection of its own: it never waits for readers or writers and does the bulk of
   the copying and the sync while requests go on (sqlite3 releases the GIL meanwhile);
2. the next write request, after its commit and while it still holds the process's write lock (`wrote`),
   runs a second PASSIVE checkpoint: it copies only what was committed during the first, and with no writer
   between it and the next one, that writer finds the whole log copied and starts it over from the
   beginning. Without this step a steady stream of writes never lets the log restart (each checkpoint ends
   behind the latest commit) and it grows without bound. It runs in the writer, not in the thread, because
   a writer that finds the write lock taken leaves the event loop for a worker thread, and the writers
   arriving meanwhile follow it there.
Should the log still outgrow LOG_LIMIT_PAGES (writers of another process keep it busy), that step is a
TRUNCATE checkpoint, which waits for them (busy timeout) and empties it. The log is bounded; a process
that stops leaves its log to be checkpointed by the next connection to close the database (SQLite's rule),
so nothing is lost either way. Other processes (another uvicorn worker, `roundtrip db seed`) keep their own
settings; each app process checkpoints for itself.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa

log = logging.getLogger("app.db")

INTERVAL = 0.2  # seconds between checkpoints under a steady stream of writes
LOG_LIMIT_PAGES = 16384  # 64 MB of 4 KB pages


class Checkpointer:
    def __init__(self, engine: sa.Engine, interval: float = INTERVAL) -> None:
        self._engine = engine
        self._due = False  # a background checkpoint finished: the next writer completes it (`wrote`)
        self._writer_conn: Any = None  # the connection of that step (one writer at a time uses it)
        self._writer_lock = threading.Lock()
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.done = 0  # checkpoints run (tests read it)
        sa.event.listen(engine, "connect", _no_auto_checkpoint)

    @classmethod
    def for_engine(cls, engine: sa.Engine, write_lock: threading.Lock | None) -> Checkpointer | None:
        """A checkpointer for a SQLite database file; None on PostgreSQL and for an in-memory database (no log)."""
        url = engine.url
        if write_lock is None or engine.dialect.name != "sqlite" or url.database in (None, "", ":memory:") or "memory" in str(url.query.get("mode", "")):
            return None
        return cls(engine)

    def wrote(self) -> None:
        """This process committed a write; called while the writer still holds the process's write lock. Completes
        a finished background checkpoint (see the module docstring), and wakes the thread (started by the first
        write) to checkpoint again soon."""
        if self._due and self._writer_lock.acquire(blocking=False):
            try:
                self._due = False
                if self._writer_conn is None:
                    self._writer_conn = self._connect()
                _busy, log_pages, _copied = self._writer_conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if log_pages > LOG_LIMIT_PAGES:
                    self._writer_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except Exception:  # noqa: BLE001 - never the writer's failure: its commit is done
                log.warning("WAL checkpoint failed; retrying after the next one", exc_info=True)
            finally:
                self._writer_lock.release()
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
                    self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        conn: Any = None
        try:
            while not self._stop.is_set():
                self._wake.wait()
                if self._stop.is_set():
                    break
                # let the writes of one interval gather: one checkpoint copies a page changed by many of them once
                self._stop.wait(self._interval)
                self._wake.clear()
                try:
                    if conn is None:
                        conn = self._connect()
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.done += 1
                    self._due = True
                except Exception:  # noqa: BLE001 - a busy or vanished file: the next write wakes us again
                    log.warning("WAL checkpoint failed; retrying after the next write", exc_info=True)
                    if conn is not None:
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    def _connect(self) -> Any:
        dialect = self._engine.dialect
        cargs, cparams = dialect.create_connect_args(self._engine.url)
        conn = dialect.loaded_dbapi.connect(*cargs, **{**cparams, "check_same_thread": False, "timeout": 30})
        conn.isolation_level = None  # autocommit: a checkpoint cannot run inside a transaction
        return conn

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._writer_lock:
            if self._writer_conn is not None:
                self._writer_conn.close()
                self._writer_conn = None


def _no_auto_checkpoint(dbapi_connection: Any, record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.execute(f"PRAGMA journal_size_limit={LOG_LIMIT_PAGES * 4096}")  # a restarted log gives back its disk space
    cur.close()
