"""HTTP against the backend under test: one request at a time, bounded timeouts, every exchange
reproducible as a curl line (the access token shown as $TOKEN, never in clear).

A `Target` is a base URL (the backend runs elsewhere, or verify launched it). Problems that make
verifying impossible (nothing listens, the answer is not HTTP, a timeout) raise `UsageError`
with a message that says what to check; the CLI maps that to exit 2.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

NOT_JSON = object()
TIMEOUT_SECONDS = 10.0
MAX_REQUESTS = 5000  # a hard ceiling on one verify run, whatever the budget options say


class UsageError(Exception):
    """verify cannot run against this target; the message says what to fix."""


@dataclass
class Exchange:
    method: str
    template: str  # the documented path template, e.g. /v1/recipes/{recipeId}
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    json: Any = NOT_JSON

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        return self.json is not NOT_JSON

    def curl(self) -> str:
        parts = ["curl", "-X", self.method, shlex.quote(self.url)]
        for k, v in self.headers.items():
            if k.lower() == "authorization" and " " in v:
                v = v.split(" ", 1)[0] + " $TOKEN"
            parts += ["-H", shlex.quote(f"{k}: {v}")]
        if self.has_body:
            parts += ["-d", shlex.quote(json.dumps(self.body, ensure_ascii=False, separators=(",", ":")))]
        return " ".join(parts)

    def got(self) -> str:
        """What came back, short: status, content type and the start of the body."""
        snippet = self.text.strip().replace("\n", " ")
        if len(snippet) > 160:
            snippet = snippet[:157] + "..."
        ct = self.content_type or "no content type"
        return f"{self.status} ({ct}) {snippet}".rstrip()


class Target:
    """The backend at `base_url` (scheme://host:port[/prefix]); `api_prefix` is the docs' base path."""

    def __init__(self, base_url: str, api_prefix: str = "", timeout: float = TIMEOUT_SECONDS) -> None:
        import httpx

        base = base_url.rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"--base-url {base_url!r} is not an http(s) URL such as http://127.0.0.1:8000")
        prefix = "/" + api_prefix.strip("/") if api_prefix.strip("/") else ""
        if prefix and parts.path.rstrip("/").endswith(prefix):
            prefix = ""  # the user's URL already ends with the base path
        self.base_url = base
        self.prefix = prefix
        self.count = 0
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def url(self, path: str, query: dict[str, Any] | None = None) -> str:
        url = f"{self.base_url}{self.prefix}{path}"
        if query:
            url += "?" + urlencode({k: _query_text(v) for k, v in query.items()}, doseq=True)
        return url

    def root_url(self, path: str) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}{path}"

    def send(self, method: str, template: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None,
             has_body: bool = False, headers: dict[str, str] | None = None, raw_url: str | None = None) -> Exchange:
        import httpx

        if self.count >= MAX_REQUESTS:
            raise UsageError(f"verify stopped after {MAX_REQUESTS} requests (a safety limit); lower --max-examples")
        self.count += 1
        sent = dict(headers or {})
        if has_body:
            sent.setdefault("Content-Type", "application/json")
        url = raw_url or self.url(path, query)
        ex = Exchange(method.upper(), template, url, sent, body, has_body)
        content = json.dumps(body).encode() if has_body else None
        try:
            try:
                resp = self.client.request(method.upper(), url, headers=sent, content=content)
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
                # A server that drops a kept-alive connection (common after it answered a 500)
                # resets the next request on that connection: try once more on a fresh one.
                resp = self.client.request(method.upper(), url, headers=sent, content=content)
        except httpx.TimeoutException:
            raise UsageError(f"{method.upper()} {url} timed out after {self.client.timeout.read}s; is the backend busy or stuck?") from None
        except httpx.HTTPError as exc:
            raise UsageError(f"cannot reach {self.base_url}: {type(exc).__name__}: {exc or 'connection failed'}; is the backend running there?") from None
        ex.status = resp.status_code
        ex.response_headers = {k.lower(): v for k, v in resp.headers.items()}
        ex.text = resp.text
        if ex.text.strip():
            try:
                ex.json = json.loads(ex.text)
            except ValueError:
                ex.json = NOT_JSON
        return ex


def _query_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_query_text(v) for v in value]
    return value
