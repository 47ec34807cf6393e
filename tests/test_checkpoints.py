"""WAL checkpoints run in the background, never inside a request's commit (appkit/checkpoints.py), and the
log still starts over under a steady stream of writes (the short step the next writer runs under the write
lock), so it stays bounded."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa

from roundtrip.appkit.checkpoints import Checkpointer
from roundtrip.appkit.runtime import make_engine


def _table(engine: sa.Engine) -> sa.Table:
    meta = sa.MetaData()
    t = sa.Table("rows", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String(2000)))
    meta.create_all(engine)
    return t


def _log_pages(path: Path) -> int:
    """The pages in the write-ahead log right now (a passive checkpoint reports them and copies nothing new)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        conn.close()


def test_the_apps_connections_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    lock = threading.Lock()
    checkpointer = Checkpointer.for_engine(engine, lock)
    assert checkpointer is not None
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    assert Checkpointer.for_engine(make_engine("sqlite://"), lock) is None, "an in-memory database has no log"
    assert Checkpointer.for_engine(engine, None) is None, "no write lock (PostgreSQL): no checkpointer"


def test_a_steady_stream_of_writes_keeps_the_log_bounded_and_every_row(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    engine = make_engine(f"sqlite:///{path}")
    lock = threading.Lock()
    checkpointer = Checkpointer(engine, interval=0.01)
    t = _table(engine)
    try:
        pages_per_write = 0
        deadline = time.monotonic() + 60
        written = 0
        while (checkpointer.done < 5 or written < 3000) and time.monotonic() < deadline:
            with lock:  # as the app writes: one writer at a time, a commit each, then `wrote` under the lock
                with engine.begin() as conn:
                    conn.execute(sa.insert(t), [{"text": "x" * 1500} for _ in range(3)])
                checkpointer.wrote()
            written += 3
            if written == 3:
                pages_per_write = _log_pages(path)
        assert checkpointer.done >= 5, "the background thread checkpointed while writes went on"
        # without a checkpoint every write's pages stay in the log (3000 rows ≈ 1,000 pages, and SQLite's own
        # checkpoint is off); with them the log has started over and holds only the latest writes
        assert pages_per_write > 0 and _log_pages(path) < 400, _log_pages(path)
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() == written
    finally:
        checkpointer.close()
        engine.dispose()
