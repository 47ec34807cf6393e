"""The `Kit`: everything one generated app shares (model, tables, engine, token and password services),
and `handle`, the one entry point every generated route calls.

handle(request, operationId, params, body):
  1. the caller: bearer token → Principal (401 when the docs mark the operation protected), roles (403);
  2. the documented rate limit (429 + Retry-After; X-RateLimit-* headers on every answer);
  3. the handler: a user override from OUT/custom/ when there is one, else the generated behaviour
     for the operation's kind (CRUD, an auth flow, or `actions.example`); a generated read on SQLite
     may be answered from the read cache instead (read_cache.py: never stale, per caller);
  4. database errors become documented errors (unique → 409, foreign key → 422/404/400, check → 400).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import types
from collections.abc import Callable, Mapping
from typing import Any

import pydantic_core
import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from . import access, actions, authflows, crud, upserts
from .checkpoints import Checkpointer
from .config import Settings
from .context import Context, Operation, Principal, Reply
from .errors import ApiError, Envelope
from .integrity_fields import violated_field
from .observe import Limit, RateLimiter, request_id_var
from .read_cache import Answer, ReadCache, caller_key, frozen
from .records import Records, note_writes, request_rows, request_writes
from .security import Passwords, Tokens, TokenSettings
from .shaping import Schemas
from .store import TableInfo, classify_integrity

log = logging.getLogger("app.kit")

Handler = Callable[[Context], Reply]
HANDLERS: dict[str, Handler] = {**crud.HANDLERS, **upserts.HANDLERS, **authflows.HANDLERS}
# The generated handlers the read cache may answer for: they only read, and only from the database.
CACHED_KINDS = ("crud-get", "crud-list")
CRUD_WRITES = ("crud-create", "crud-update", "crud-upsert", "crud-delete")
BUSY_TIMEOUT_MS = 30000  # how long a SQLite connection waits for another writer (make_engine)


def make_engine(url: str, pool_size: int = 10) -> sa.Engine:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        # as many pooled connections as PostgreSQL gets: beyond the pool, every request would open (and set
        # up) a new SQLite connection and close it again
        pooled: dict[str, Any] = {}
        if sa.engine.make_url(url).database not in (None, "", ":memory:"):
            pooled = {"pool_size": pool_size, "max_overflow": pool_size * 2}  # a file: QueuePool
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pooled)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, record: Any) -> None:
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
            # WAL's recommended setting: a commit appends to the log without an fsync (checkpoints still sync),
            # so the database never corrupts; a power cut (not a crash of the app) may lose the last commits
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)


class Kit:
    def __init__(
        self,
        model: dict[str, Any],
        metadata: sa.MetaData,
        settings: Settings,
        overrides: Mapping[str, Handler] | None = None,
        engine: sa.Engine | None = None,
    ) -> None:
        self.model = model
        self.settings = settings
        self.schemas = Schemas(model.get("schemas", {}))
        self.envelope = Envelope.from_model(model.get("envelope"))
        self.ops = {k: Operation.from_model(k, v) for k, v in model.get("operations", {}).items()}
        self.tables = {name: TableInfo.of(t) for name, t in metadata.tables.items()}
        self.engine = engine or make_engine(settings.database_url, settings.db_pool_size)
        self.passwords = Passwords(settings.password_hash, settings.bcrypt_rounds)
        self.tokens = Tokens(
            TokenSettings(
                settings.jwt_secret,
                settings.access_token_ttl_seconds,
                settings.refresh_token_ttl_seconds,
                settings.jwt_issuer,
                settings.jwt_audience,
            )
        )
        self._schema_fields: dict[str, Mapping[str, str]] = {}
        self.records = Records(self)
        if not sa.event.contains(self.engine, "before_execute", note_writes):
            sa.event.listen(self.engine, "before_execute", note_writes)  # what a write request wrote (records.Fresh)
        self._write_lock = threading.Lock() if self.engine.dialect.name == "sqlite" else None
        self.limiter = RateLimiter()
        self.overrides: dict[str, Handler] = {k: v for k, v in (overrides or {}).items() if k in self.ops}
        # Operations handled on the event loop instead of a worker thread: on SQLite a read is a few local
        # lookups taking microseconds (WAL: readers never wait for the writer) and the GIL serializes the Python
        # work anyway, so the thread hand-off only adds latency. Writes (serialized by the write lock, a commit
        # each), user overrides (any code) and every PostgreSQL operation (network round trips) keep the thread.
        self.inline: frozenset[str] = frozenset(
            op_id
            for op_id, op in self.ops.items()
            if self.engine.dialect.name == "sqlite" and op.method == "GET" and op_id not in self.overrides
        )
        # Generated CRUD writes on SQLite run on the event loop too when they can start at once (handle_at_once):
        # a local write takes less time than handing it to a thread and back. Overrides, auth flows (password
        # hashing takes milliseconds on purpose) and example-backed actions keep the thread.
        self.at_once: frozenset[str] = frozenset(
            op_id
            for op_id, op in self.ops.items()
            if self._write_lock is not None and op.method != "GET" and op.kind in CRUD_WRITES and op_id not in self.overrides
        )
        self.validation_code = str(model.get("validation", {}).get("code") or "VALIDATION_ERROR")
        # Answers of the generated reads (get one, list; not overrides, not auth flows), SQLite files only.
        self.read_cache = ReadCache.for_engine(self.engine, settings.read_cache, settings.read_cache_entries)
        # WAL checkpoints in a background thread instead of inside some request's commit (checkpoints.py)
        self.checkpointer = Checkpointer.for_engine(self.engine, self._write_lock)
        self.cached_reads: frozenset[str] = frozenset(
            op_id
            for op_id, op in self.ops.items()
            if self.read_cache is not None and op.method == "GET" and op.kind in CACHED_KINDS and op_id not in self.overrides
        )
        # In-memory state of one process: revoked token ids, login failures without columns, the dev outbox.
        self.revoked_jti: set[str] = set()
        self.failures: dict[str, int] = {}
        self.lockouts: dict[str, dt.datetime] = {}
        self.outbox: list[dict[str, str]] = []

    # -----------------------------------------------------------------------------------------
    # model lookups
    # -----------------------------------------------------------------------------------------

    def schema_fields(self, schema: Any) -> Mapping[str, str]:
        """API field → column for a linked schema (read-only, one object per schema: shaping plans are cached by it)."""
        name = self.schemas.ref_name(schema)
        found = self._schema_fields.get(name)
        if found is None:
            link = (self.model.get("schema_links") or {}).get(name)
            found = self._schema_fields[name] = types.MappingProxyType(dict(link["fields"]) if link else {})
        return found

    def schema_table(self, schema: Any) -> str | None:
        name = self.schemas.ref_name(schema)
        link = (self.model.get("schema_links") or {}).get(name)
        return str(link["table"]) if link else None

    def privileged(self, p: Principal) -> bool:
        return p.role in (self.model.get("privileged_roles") or [])

    def common_code(self, status: int, fallback: str) -> str:
        doc = (self.model.get("common_errors") or {}).get(str(status))
        return str(doc["code"]) if doc and doc.get("code") else fallback

    def validation_status(self, op: Operation | None) -> int:
        if op is not None and op.get("validation_status"):
            return int(op.get("validation_status"))
        return int(self.model.get("validation", {}).get("status") or 400)

    def validation_error(self, op: Operation | None, details: list[dict[str, str]]) -> ApiError:
        status = self.validation_status(op)
        # the operation's validation row (emit/app_validation), never a business rule sharing its status
        code = str((op.get("validation_code") if op is not None else None) or self.validation_code)
        return ApiError(status, code, "Request failed validation", details)

    # -----------------------------------------------------------------------------------------
    # responses
    # -----------------------------------------------------------------------------------------

    def error_response(self, err: ApiError, headers: Mapping[str, str] | None = None) -> JSONResponse:
        body = self.envelope.body(err.status, err.code, err.message, err.details, request_id_var.get())
        return FastJSONResponse(body, status_code=err.status, headers={**(headers or {}), **err.headers})

    def render(self, reply: Reply, headers: Mapping[str, str]) -> Response:
        merged = {**headers, **reply.headers}
        if reply.empty or reply.status in (204, 304):
            return Response(status_code=reply.status, headers=merged)
        return FastJSONResponse(reply.body, status_code=reply.status, headers=merged)

    def replay(self, answer: Answer, headers: Mapping[str, str]) -> Response:
        """A cached answer as `render` built it: the same status, bytes and headers (this request's own first)."""
        merged = {**headers, **answer.headers}
        if answer.body is None:
            return Response(status_code=answer.status, headers=merged)
        return Response(answer.body, status_code=answer.status, headers=merged, media_type="application/json")

    # -----------------------------------------------------------------------------------------
    # dispatch
    # -----------------------------------------------------------------------------------------

    def handle(self, request: Request, op_id: str, params: Mapping[str, Any] | None = None, body: Any = None) -> Response:
        op = self.ops[op_id]
        if self._write_lock is not None and op.method != "GET":
            # SQLite has one writer: queueing writers here is cheaper than SQLite's busy-wait retries.
            with self._write_lock:
                return self._run(request, op, params, body, None)
        return self._run(request, op, params, body, None)

    def handle_at_once(self, request: Request, op_id: str, params: Mapping[str, Any] | None = None, body: Any = None) -> Response | None:
        """A write of `at_once` run here (on the event loop) when it can start without waiting: no other writer
        of this process holds the write lock, and SQLite grants this connection its write lock at once
        (`BEGIN IMMEDIATE` with no busy wait). None when it cannot: nothing was done, and the caller runs
        `handle` in a worker thread, which waits its turn as every write did before."""
        lock = self._write_lock
        if lock is None or not lock.acquire(blocking=False):
            return None
        try:
            conn = self.engine.connect()
            try:
                started = begin_immediately(conn)
            except BaseException:
                conn.close()
                raise
            if not started:
                conn.close()
                return None
            try:
                return self._run(request, self.ops[op_id], params, body, conn)
            finally:
                conn.close()  # already closed by the Context, unless something failed before it could
        finally:
            lock.release()

    def _run(self, request: Request, op: Operation, params: Mapping[str, Any] | None, body: Any, conn: sa.Connection | None) -> Response:
        op_id = op.id
        ctx = Context(self, request, op, dict(params or {}), as_api_dict(body))
        if conn is not None:
            ctx._conn = conn  # the transaction handle_at_once began (Context.close commits or rolls it back)
        headers: dict[str, str] = {}
        rows_token = request_rows.set({} if op.method == "GET" else None)
        writes_token = request_writes.set(None if op.method == "GET" else set())
        try:
            return self._handle(ctx, op, op_id, headers)
        finally:
            request_rows.reset(rows_token)
            request_writes.reset(writes_token)
            if op.method != "GET" or op_id in self.overrides:
                # after the commit (or rollback): a write, or an override that may have written
                if self.read_cache is not None:
                    self.read_cache.wrote()
                if self.checkpointer is not None:
                    self.checkpointer.wrote()

    def _handle(self, ctx: Context, op: Operation, op_id: str, headers: dict[str, str]) -> Response:
        request = ctx.request
        cache_control = op.get("cache_control")
        if cache_control and op.method == "GET":
            headers["Cache-Control"] = str(cache_control)
        cache = self.read_cache if op_id in self.cached_reads else None
        # the stamp comes before the request's first read (the caller's row): see read_cache.py
        stamp = cache.stamp() if cache is not None else None
        try:
            if op.auth_required or request.headers.get("authorization"):
                ctx.principal = authflows.authenticate(ctx, op.auth_required)
            access.check_roles(ctx)
            verdict = self.rate_limit(ctx)
            if verdict is not None:
                headers.update(verdict.headers())
                if not verdict.allowed:
                    raise op.fail(429, self.common_code(429, "RATE_LIMITED"), "Too many requests")
            key = self.read_key(ctx) if cache is not None else None
            if key is not None and stamp is not None and cache is not None:
                answer = cache.get(key, stamp)
                if answer is not None:
                    ctx.close(commit=False)
                    return self.replay(answer, headers)
            default = HANDLERS.get(op.kind, actions.example)
            ctx._default = default
            reply = self.overrides.get(op_id, default)(ctx)
            ctx.close(commit=True)
            response = self.render(reply, headers)
            if key is not None and stamp is not None and cache is not None and 200 <= reply.status < 300:
                body = None if reply.empty or reply.status in (204, 304) else bytes(response.body)
                cache.put(key, stamp, Answer(reply.status, body, dict(reply.headers)))
            return response
        except ApiError as err:
            ctx.close(commit=False)
            return self.error_response(err, headers)
        except sa.exc.IntegrityError as exc:
            ctx.close(commit=False)
            return self.error_response(self.integrity_error(op, exc), headers)
        except (sa.exc.DataError, sa.exc.StatementError) as exc:
            ctx.close(commit=False)
            log.info("database rejected a value", extra={"operation": op_id, "error": type(exc).__name__})
            return self.error_response(self.validation_error(op, [{"field": "", "issue": "value rejected by the database"}]), headers)
        except Exception:
            ctx.close(commit=False)
            log.exception("unhandled error", extra={"operation": op_id})
            return self.error_response(ApiError(500, self.common_code(500, "INTERNAL_ERROR"), "Internal server error"), headers)

    def read_key(self, ctx: Context) -> tuple[Any, ...] | None:
        """The read cache's key: the operation, its path and query values (after `me` became the caller's id)
        and the caller (read_cache.caller_key). None when a value cannot be a key part (nothing is cached)."""
        try:
            params = tuple((name, frozen(value)) for name, value in ctx.params.items())  # routes pass them in one order
        except TypeError:
            return None
        return (ctx.op.id, params, caller_key(ctx.principal, ctx.op.get("scope_columns")))

    def gate(self, request: Request, op: Operation) -> ApiError | None:
        """For a request that failed validation: the 401 a protected operation owes an anonymous caller
        (missing, malformed, expired or forged token). The docs' auth comes before any look at the request's
        path, query or body values, so a bad id or body never tells a stranger anything; a signed-in caller
        then gets the validation error before any row is looked up (as the docs' 400s say)."""
        if not op.auth_required:
            return None
        ctx = Context(self, request, op, {}, None)
        try:
            authflows.authenticate(ctx, True)
        except ApiError as err:
            return err
        finally:
            ctx.close(commit=False)
        return None

    def rate_limit(self, ctx: Context) -> Any:
        if not self.settings.rate_limits:
            return None
        limit = Limit.from_model(ctx.op.get("rate_limit"))
        if limit is None:
            return None
        caller = f"user:{ctx.principal.id}" if ctx.principal is not None and limit.scope != "ip" else f"ip:{ctx.client_ip}"
        return self.limiter.hit(ctx.op.id, caller, limit)

    def integrity_error(self, op: Operation, exc: BaseException) -> ApiError:
        kind = classify_integrity(exc)
        log.info("integrity error", extra={"operation": op.id, "kind": kind})
        if kind == "unique":
            return op.fail(409, "CONFLICT", "A resource with these values already exists")
        if kind == "foreign_key":
            for status in (422, 404):
                if op.documents(status):
                    return op.fail(status, "INVALID_REFERENCE", "A referenced resource does not exist")
        info = self.tables.get(op.table or "")  # the field whose column the refused constraint names (integrity_fields)
        field = violated_field(exc, info.table if info is not None else None, op.fields)
        if kind == "foreign_key":
            return self.validation_error(op, [{"field": field, "issue": "references a resource that does not exist"}])
        return self.validation_error(op, [{"field": field, "issue": "value not allowed"}])


def begin_immediately(conn: sa.Connection) -> bool:
    """Begin a write transaction on a SQLite connection without waiting: True when it now holds the database's
    write lock, False when another connection (this process's or another's) holds it."""
    raw = conn.connection.dbapi_connection
    if raw is None:
        return False
    raw.execute("PRAGMA busy_timeout=0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # SQLITE_BUSY: someone else writes; nothing has begun
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.begin()  # the driver is in the transaction now; SQLAlchemy's view of the connection follows
    return True


class FastJSONResponse(JSONResponse):
    """The same compact UTF-8 JSON as Starlette's JSONResponse, written by pydantic-core (Rust) instead of
    json.dumps, several times faster. A non-finite float, which JSON cannot hold, is written as null."""

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content, inf_nan_mode="null")


def as_api_dict(body: Any) -> Any:
    """A validated request body as a dict with the API's names; fields the client did not send are absent."""
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(body, list):
        return [as_api_dict(b) for b in body]
    return body
