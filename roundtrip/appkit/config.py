"""Settings from environment variables, with the values the docs state as defaults.

The generated `app/settings.py` passes the documented defaults (token lifetimes, CORS origins for
local frontends); the environment overrides them. `.env.example` lists every variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./app.db"
    jwt_secret: str = ""
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 604800
    jwt_issuer: str = ""
    jwt_audience: str = ""
    password_hash: str = "bcrypt"
    bcrypt_rounds: int = 12
    cors_origins: tuple[str, ...] = field(default=("http://localhost:3000", "http://localhost:5173"))
    rate_limits: bool = True
    log_level: str = "INFO"
    docs: bool = True
    db_pool_size: int = 10
    # Answers of generated reads kept per process (SQLite only, never stale: appkit/read_cache.py); false: off
    read_cache: bool = True
    read_cache_entries: int = 1024

    @classmethod
    def from_env(cls, defaults: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Documented defaults, overridden by environment variables named after the fields (DATABASE_URL...)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = dict(defaults or {})
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or raw == "":
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                values[f.name] = raw.strip().lower() in TRUE
            elif f.name == "cors_origins":
                values[f.name] = tuple(o.strip() for o in raw.split(",") if o.strip())
            else:
                values[f.name] = raw
        if "cors_origins" in values and isinstance(values["cors_origins"], list):
            values["cors_origins"] = tuple(values["cors_origins"])
        if not values.get("jwt_secret"):
            # No secret configured: a random one per process (tokens die with the process). Never logged.
            values["jwt_secret"] = secrets.token_hex(32)
        return cls(**values)
