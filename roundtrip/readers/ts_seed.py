"""Seed data written as TypeScript object literals → SampleRows.

Recognized shapes (inside a fence already judged to be seed code by `typescript.py`):
  const seedData = { users: [ {...}, ... ], workspaceMembers: [ ... ] }   → one table per key
  const users = [ {...}, ... ]                                             → table from the variable name
  prisma.user.createMany({ data: [ ... ] }) / prisma.user.create({ data: {...} })  → table from the model
Keys become snake_case columns; a `password` that the same fence hashes (`bcrypt.hash(password…)`) is
stored under `password_hash` and listed in SampleRow.hashed, so the seeder knows to hash the plain text.
"""

from __future__ import annotations

import re
from typing import Any

from tree_sitter import Node

from roundtrip.ir.data import SampleRow
from roundtrip.ir.naming import plural, singular, snake
from roundtrip.ir.schema import Origin
from roundtrip.readers.ts_types import NO_VALUE, TsContext, js_value, named, string_value, text

_PRISMA_WRITES = ("create", "createMany", "upsert", "insert", "insertMany")
_RE_HASHES_PASSWORD = re.compile(r"\b(?:hash|hashSync|hashPassword|argon2\.hash|bcrypt\.hash)\s*\(\s*[\w.]*password", re.I)


def table_name(key: str) -> str:
    """`workspaceMembers` → workspace_members, `user` → users (seed keys name tables, plural or not)."""
    return plural(singular(snake(key)))


class SeedReader:
    def __init__(self, ctx: TsContext, fence_text: str) -> None:
        self.ctx = ctx
        self.hashes_password = bool(_RE_HASHES_PASSWORD.search(fence_text)) or ("hash(" in fence_text.lower() and "password" in fence_text)
        self.rows: list[SampleRow] = []

    def declaration(self, name: str, value: Node) -> None:
        """`const <name> = <value>` in a seed fence."""
        if value.type == "object":
            for member in named(value):
                if member.type != "pair":
                    continue
                key = member.child_by_field_name("key")
                val = member.child_by_field_name("value")
                if key is None or val is None or val.type != "array":
                    continue
                key_name = string_value(key) if key.type == "string" else text(key)
                self._rows(table_name(key_name), val)
        elif value.type == "array" and _objects(value):
            self._rows(table_name(name), value)

    def calls(self, root: Node) -> None:
        """`prisma.<model>.createMany({ data: [...] })` anywhere in the fence, when the data is literal."""
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "call_expression":
                self._prisma_call(node)
            stack.extend(reversed(node.named_children))

    def _prisma_call(self, node: Node) -> None:
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return
        method = text(fn.child_by_field_name("property"))
        model_expr = fn.child_by_field_name("object")
        if method not in _PRISMA_WRITES or model_expr is None or model_expr.type != "member_expression":
            return
        model = text(model_expr.child_by_field_name("property"))
        args = node.child_by_field_name("arguments")
        arg = named(args)[0] if args is not None and named(args) else None
        if arg is None or arg.type != "object" or not model:
            return
        for member in named(arg):
            key = member.child_by_field_name("key") if member.type == "pair" else None
            if key is None or text(key) not in ("data", "create"):
                continue
            data = member.child_by_field_name("value")
            # Only fully literal data: `{ ...user, passwordHash }` is built at run time from rows read elsewhere.
            if data is not None and data.type in ("array", "object") and js_value(data) is not NO_VALUE:
                self._rows(table_name(model), data)

    def _rows(self, table: str, node: Node) -> None:
        objs = _objects(node) if node.type == "array" else [node]
        skipped: list[str] = []
        for obj in objs:
            values: list[tuple[str, Any]] = []
            hashed: list[str] = []
            for member in named(obj):
                if member.type != "pair":
                    skipped.append(text(member)[:30])
                    continue
                key = member.child_by_field_name("key")
                if key is None:
                    continue
                key_name = string_value(key) if key.type == "string" else text(key)
                val = js_value(member.child_by_field_name("value"))
                if val is NO_VALUE:
                    if key_name not in skipped:
                        skipped.append(key_name)
                    continue
                column = snake(key_name)
                if column == "password" and self.hashes_password:
                    column = "password_hash"
                    hashed.append(column)
                values.append((column, val))
            if values:
                self.rows.append(SampleRow(table, tuple(values), tuple(hashed), origin=Origin.TYPESCRIPT, span=self.ctx.span(obj)))
        if skipped:
            self.ctx.info(node, f"seed rows for `{table}`: computed values for {', '.join(skipped[:5])} were left out; "
                          "write them as literals to seed them")


def _objects(node: Node) -> list[Node]:
    items = named(node)
    return [c for c in items if c.type == "object"] if items and all(c.type == "object" for c in items) else []
