"""npm tools and downloads for the benchmarks that compare roundtrip with Node tools (issues 4 and 6).

Everything lives in bench/.node/ (gitignored): npm installs pinned packages there on first use and
later runs reuse them, so a machine without a network can still run the bench once they are in place.
When npm is missing or cannot fetch, the functions raise `Unavailable` with npm's own last words, and
the benchmark that needed them reports itself as skipped instead of inventing a figure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / ".node"
NPM_TIMEOUT = 600  # seconds; a first install of Prism is ~25 s on a good connection


class Unavailable(Exception):
    """A tool or a download the benchmark needs is not available here (the message says why)."""


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise Unavailable("npm/node not found on PATH")
    return npm


def _last_words(proc: subprocess.CompletedProcess[str]) -> str:
    """npm's error code and its first explanatory line (not the stack, not the pointer to its log)."""
    lines = [ln.strip() for ln in (proc.stderr or proc.stdout or "").splitlines()]
    errors = [ln.removeprefix("npm error").strip() for ln in lines if ln.startswith("npm error")]
    code = next((e.removeprefix("code ") for e in errors if e.startswith("code ")), "")
    noise = ("code ", "syscall ", "errno ", "A complete log", "at ", "{", "}")
    says = next((e for e in errors if e and not e.startswith(noise)), "")
    return " ".join(x for x in (code, says) if x) or next(
        (ln for ln in reversed(lines) if ln), f"exit {proc.returncode}"
    )


def installed_version(package: str) -> str | None:
    manifest = NODE_DIR / "node_modules" / package / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))


def ensure_packages(pins: dict[str, str]) -> dict[str, str]:
    """Install `{package: version}` into bench/.node unless exactly those versions are there already.
    Returns {package: version installed}."""
    missing = [f"{name}@{version}" for name, version in pins.items() if installed_version(name) != version]
    if missing:
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        cmd = [
            _npm(),
            "install",
            "--prefix",
            str(NODE_DIR),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            *missing,
        ]
        try:
            proc = subprocess.run(cmd, cwd=NODE_DIR, capture_output=True, text=True, timeout=NPM_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Unavailable(f"npm install {' '.join(missing)} took more than {NPM_TIMEOUT} s") from None
        if proc.returncode != 0:
            raise Unavailable(f"npm install {' '.join(missing)} failed: {_last_words(proc)}")
    found = {name: installed_version(name) for name in pins}
    wrong = [f"{name} {found[name]} (wanted {pins[name]})" for name in pins if found[name] != pins[name]]
    if wrong:
        raise Unavailable(f"npm did not install the pinned versions: {', '.join(wrong)}")
    return {name: str(found[name]) for name in pins}


def binary(name: str) -> Path:
    path = NODE_DIR / "node_modules" / ".bin" / name
    if not path.exists():
        raise Unavailable(f"{path} missing after npm install")
    return path


def package_file(package: str, version: str, member: str) -> Path:
    """One file of an npm package's tarball, fetched with `npm pack` (nothing installed, no scripts run)
    and extracted to bench/.node/files/<package>@<version>/<member>; reused when already there."""
    target = NODE_DIR / "files" / f"{package.replace('/', '__')}@{version}" / member
    if target.is_file():
        return target
    downloads = NODE_DIR / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    cmd = [
        _npm(),
        "pack",
        f"{package}@{version}",
        "--pack-destination",
        str(downloads),
        "--json",
        "--loglevel=error",
    ]
    try:
        proc = subprocess.run(cmd, cwd=downloads, capture_output=True, text=True, timeout=NPM_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Unavailable(f"npm pack {package}@{version} took more than {NPM_TIMEOUT} s") from None
    if proc.returncode != 0:
        raise Unavailable(f"npm pack {package}@{version} failed: {_last_words(proc)}")
    try:
        tarball = downloads / json.loads(proc.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        raise Unavailable(f"npm pack {package}@{version}: unexpected output {proc.stdout[:200]!r}") from None
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            try:
                source = tar.extractfile(f"package/{member}")
            except KeyError:
                source = None
            if source is None:
                raise Unavailable(f"{package}@{version} has no file {member}")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            with source, open(partial, "wb") as out:
                shutil.copyfileobj(source, out)
            partial.replace(target)  # a crash mid-copy never leaves a truncated file that looks complete
    except tarfile.TarError as err:
        raise Unavailable(f"{tarball.name}: not a readable npm tarball ({err})") from None
    finally:
        tarball.unlink(missing_ok=True)  # 29 MB for one 13 MB file: keep only what the bench reads
    return target
