"""A spec folder as it was at a git revision, extracted with `git archive` into a temporary folder.

`roundtrip diff HEAD~1 HEAD` compares two revisions of the same doc folder; the working tree is
never touched (no checkout, no stash).
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path, PurePosixPath


class RevisionError(Exception):
    """The revision or folder does not exist in the repository (message is git's, shortened)."""


def load_revision(repo_path: Path, rev: str, subdir: str = "") -> Path:
    """Extract `subdir` (POSIX path inside the repository, "" for all of it) as of `rev` into a new
    temporary directory and return the folder holding it. The caller removes `result`'s temp root
    (see `revision_dir` for a context manager that does)."""
    sub = str(PurePosixPath(subdir)) if subdir and subdir not in (".", "/") else ""
    cmd = ["git", "-C", str(repo_path), "archive", "--format=tar", rev]
    if sub:
        cmd += ["--", sub]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(f"cannot read {sub or 'the repository'} at {rev}: {msg[-1] if msg else 'git archive failed'}")
    root = Path(tempfile.mkdtemp(prefix="roundtrip-rev-"))
    try:
        with tarfile.open(fileobj=BytesIO(proc.stdout)) as tar:
            tar.extractall(root, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise RevisionError(f"cannot extract {rev}: {exc}") from None
    return root / sub if sub else root


@contextmanager
def revision_dir(repo_path: Path, rev: str, subdir: str = "") -> Iterator[Path]:
    """`with revision_dir(repo, "HEAD~1", "specs") as folder:` … the folder is removed afterwards."""
    folder = load_revision(repo_path, rev, subdir)
    root = folder
    for _ in PurePosixPath(subdir).parts if subdir and subdir not in (".", "/") else ():
        root = root.parent
    try:
        yield folder
    finally:
        shutil.rmtree(root, ignore_errors=True)
