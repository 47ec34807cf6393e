"""Runtime for a generated backend's database: `db upgrade`, `db downgrade`, `db seed`, `db check`.

    roundtrip.db.upgrade(out_dir, url)              # alembic upgrade head (url None: OUT/app.db)
    roundtrip.db.downgrade(out_dir, url, to="base")
    roundtrip.db.seed(out_dir, url, fake=0, seed=0) # the docs' sample rows (+ N fake rows per table)
    roundtrip.db.check(out_dir, url, spec)          # RT45x diagnostics: the live database vs the docs

Failures raise DbError with a message that says what to do (and the doc line, for sample rows).
This package may import SQLAlchemy, Alembic and psycopg; the emitters never do I/O, this does.
"""

from roundtrip.db.check import check
from roundtrip.db.migrate import current_revision, downgrade, upgrade
from roundtrip.db.runtime import DbError, normalize_url
from roundtrip.db.seeding import SeedReport, seed

__all__ = ["DbError", "SeedReport", "check", "current_revision", "downgrade", "normalize_url", "seed", "upgrade"]
