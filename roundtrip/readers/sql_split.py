"""Cut the text of one SQL fence into statements that remember where they came from.

Each Statement keeps its exact slice of the fence, so a parser's character offsets inside the
statement map back to a 1-based line of the Markdown file. Splitting uses sqlglot's tokenizer
(it honours quotes, `$$` bodies and comments); when the tokenizer gives up (broken quoting in a
document), a line-based cut on trailing semicolons keeps the rest of the fence readable.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Statement:
    text: str  # exact slice of the fence content (leading comments included, trailing `;` excluded)
    base_line: int  # file line of text[0]
    line: int  # file line of the first keyword (what diagnostics and spans point at)

    def line_at(self, offset: int) -> int:
        """File line of a character offset inside `text`."""
        offset = max(0, min(offset, len(self.text)))
        return self.base_line + self.text.count("\n", 0, offset)

    @property
    def code(self) -> str:
        """The statement from its first keyword on (leading comments dropped), as written."""
        return self.text[_first_code_offset(self.text):].strip()

    @property
    def body(self) -> str:
        """The statement without comments, whitespace collapsed (for keyword checks and messages)."""
        return re.sub(r"\s+", " ", strip_comments(self.text)).strip()


def strip_comments(text: str) -> str:
    """Remove `-- …`, `# …` (MySQL) and `/* … */` comments outside quotes, keeping newlines."""
    out: list[str] = []
    i = 0
    quote = ""
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == quote:
                quote = ""
            i += 1
            continue
        if ch in "'\"`":
            quote = ch
            out.append(ch)
            i += 1
            continue
        if text.startswith("--", i) or (ch == "#" and (i == 0 or text[i - 1] in " \t\n")):
            j = text.find("\n", i)
            i = len(text) if j == -1 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            chunk = text[i : (len(text) if j == -1 else j + 2)]
            out.append("\n" * chunk.count("\n"))
            i = len(text) if j == -1 else j + 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _first_code_offset(text: str) -> int:
    """Offset of the first character that is neither whitespace nor inside a comment."""
    i = 0
    while i < len(text):
        if text[i] in " \t\r\n":
            i += 1
        elif text.startswith("--", i) or text[i] == "#":
            j = text.find("\n", i)
            i = len(text) if j == -1 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = len(text) if j == -1 else j + 2
        else:
            return i
    return len(text)


def _make(content: str, start: int, end: int, content_line: int) -> Statement | None:
    chunk = content[start:end]
    if not strip_comments(chunk).strip():
        return None
    base_line = content_line + content.count("\n", 0, start)
    first = _first_code_offset(chunk)
    return Statement(chunk, base_line, base_line + chunk.count("\n", 0, first))


def _cut_points_tokenized(content: str, dialect: str) -> list[int] | None:
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.tokens import TokenType

    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(content)
    except Exception:  # noqa: BLE001 - sqlglot raises several error types on broken quoting
        return None
    return [t.start for t in tokens if t.token_type == TokenType.SEMICOLON]


def _cut_points_by_line(content: str) -> list[int]:
    """Fallback: a `;` that ends a line (ignoring a trailing comment) ends a statement."""
    cuts: list[int] = []
    pos = 0
    for ln in content.split("\n"):
        code = re.sub(r"--.*$", "", ln).rstrip()
        if code.endswith(";"):
            cuts.append(pos + len(code) - 1)
        pos += len(ln) + 1
    return cuts


def split_statements(content: str, content_line: int, dialect: str = "postgres") -> list[Statement]:
    """Split fence content into statements. `content_line` is the file line of content's first line."""
    # psql meta-commands (`\c db`, `\i file`) are not SQL; blank them so line numbers stay put
    content = re.sub(r"(?m)^[ \t]*\\[a-zA-Z].*$", "", content)
    cuts = _cut_points_tokenized(content, dialect)
    if cuts is None:
        cuts = _cut_points_by_line(content)
    out: list[Statement] = []
    start = 0
    for cut in cuts:
        st = _make(content, start, cut, content_line)
        if st:
            out.append(st)
        start = cut + 1
    st = _make(content, start, len(content), content_line)
    if st:
        out.append(st)
    return out


# ---------------------------------------------------------------- what kind of statement is it

_IGNORED = {"SELECT", "WITH", "UPDATE", "DELETE", "EXPLAIN", "SHOW", "SET", "BEGIN", "COMMIT", "ROLLBACK", "START",
            "END", "VACUUM", "ANALYZE", "LOCK", "USE", "VALUES", "CALL", "DECLARE", "FETCH", "CLOSE", "PREPARE",
            "EXECUTE", "DEALLOCATE", "LISTEN", "NOTIFY", "SAVEPOINT", "RELEASE", "DESCRIBE", "DESC", "TABLE",
            "REFRESH", "REINDEX", "CLUSTER", "CHECKPOINT", "COPY", "PRAGMA", "DELIMITER", "MERGE", "RESET", "DISCARD"}
_OPAQUE_CREATE = {"TRIGGER": "trigger", "FUNCTION": "function", "PROCEDURE": "function", "POLICY": "policy",
                  "VIEW": "view", "MATERIALIZED": "view", "RULE": "other", "SEQUENCE": "other", "SCHEMA": "other",
                  "ROLE": "other", "USER": "other", "DOMAIN": "other", "PUBLICATION": "other", "EVENT": "trigger",
                  "AGGREGATE": "function", "OPERATOR": "other", "DATABASE": "other",
                  "CONSTRAINT": "trigger", "CAST": "other", "COLLATION": "other", "SERVER": "other"}


def statement_kind(st: Statement) -> str:
    """table | index | type | extension | alter | insert | opaque:<kind> | query | unknown."""
    words = [w.upper() for w in re.findall(r"[A-Za-z_]+", st.body[:200])][:8]
    if not words:
        return "unknown"
    w0 = words[0]
    if w0 == "CREATE":
        rest = [w for w in words[1:] if w not in ("OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL",
                                                  "IF", "NOT", "EXISTS", "DEFINER", "ALGORITHM", "SQL", "SECURITY")]
        nxt = rest[0] if rest else ""
        if nxt == "TABLE":
            return "table"
        if nxt in ("INDEX", "UNIQUE", "FULLTEXT", "SPATIAL") and "INDEX" in rest[:2]:
            return "index"
        if nxt == "TYPE":
            return "type"
        if nxt == "EXTENSION":
            return "extension"
        return "opaque:" + _OPAQUE_CREATE.get(nxt, "other")
    if w0 == "ALTER":
        return "alter" if len(words) > 1 and words[1] == "TABLE" else "opaque:alter"
    if w0 in ("INSERT", "REPLACE", "UPSERT"):
        return "insert"
    if w0 == "COMMENT":
        return "opaque:comment"
    if w0 == "DROP":
        return "opaque:drop"
    if w0 in ("GRANT", "REVOKE", "TRUNCATE", "SECURITY", "DO"):
        return "opaque:function" if w0 == "DO" else "opaque:other"
    if w0 in _IGNORED:
        return "query"
    return "unknown"


_MYSQL_MARKERS = re.compile(r"AUTO_INCREMENT|ENGINE\s*=|\bUNSIGNED\b|`\w+`|\bTINYINT\b|\bMEDIUMTEXT\b|\bLONGTEXT\b|"
                            r"\bDATETIME\s*\(\s*\d\s*\)|ON\s+UPDATE\s+CURRENT_TIMESTAMP", re.I)


def looks_mysql(sql: str) -> bool:
    return bool(_MYSQL_MARKERS.search(strip_comments(sql)))
