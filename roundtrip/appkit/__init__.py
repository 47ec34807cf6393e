"""The runtime kit of a generated reference backend (a FastAPI app that behaves as the docs say).

These modules are real, tested Python; `roundtrip generate` copies them verbatim into
OUT/app/kit/ (with a generated-by header line), so they import only each other (relative imports),
the standard library, FastAPI/Starlette, SQLAlchemy, pydantic, PyJWT and pwdlib.

The generated app describes each documented operation in `app/api_model.json` (what kind of
operation it is, which table backs it, which column backs each API field, documented statuses,
error codes and examples); the kit interprets that description at run time:

- `errors`: the documented error envelope, exception handlers (validation errors use the docs' status)
- `observe`: request IDs, structured JSON logs without secrets, rate limits with documented headers
- `security`: password hashing (bcrypt/argon2 via pwdlib), JWT access tokens (PyJWT), refresh tokens
- `shaping`: JSON values from rows by the response schema, data generated from a schema
- `store`: table metadata helpers, value coercion, integrity-error classification
- `querying`: filters, search and sorting of list queries, each statement built once per shape of request
- `records`: rows shaped by the response schema (a list page's related rows read once for the whole page)
- `crud`: list/get/create/update/delete with camelCase fields over snake_case columns, soft delete,
  ownership and tenant scoping
- `authflows`: register, login (lockout), refresh (rotation, reuse detection), logout, me, password reset
- `runtime`: the `Kit` object: dispatch of an operation (user overrides first), the caller checked first
- `actions`: operations without table CRUD: the rows their path names (404 first), status changes named
  by the endpoint (`cancel` → `cancelled`, 409 when repeated), then the docs' example or generated data
- `webapp`: app assembly: CORS, health endpoints, docs pages from bundled assets, OpenAPI post-processing
- `read_cache`: answers of generated reads kept per caller while SQLite's `PRAGMA data_version` is unchanged
- `fastroute`: the route class of generated routers: path/query values checked by one precompiled validator,
  FastAPI's own handler whenever that fails (errors exactly as before)
- `lookups`, `field_rules`, `derived`, `access`, `context`, `config`: natural-key references on create, per-role
  body fields and hashed secrets, composed values, role/tenant/owner checks, the request context, settings
"""
