"""The command line: a thin Typer layer. Each command parses options, calls one function in
roundtrip.api, prints the result and returns an exit code:
0 ok (warnings allowed), 1 findings/errors, 2 usage or config error, 3 internal error."""

from __future__ import annotations

import enum
import json
import sys
import traceback
from pathlib import Path
from typing import Annotated, NoReturn

import typer

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="roundtrip: compile Markdown backend docs into OpenAPI and code, and verify code against the docs.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class LintFormat(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"


class DocFormat(str, enum.Enum):
    yaml = "yaml"
    json = "json"


SpecsArg = Annotated[Path, typer.Argument(help="A spec folder (all .md files below it) or one Markdown file.", show_default=False)]


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"roundtrip: {message}", err=True)
    raise typer.Exit(code)


def _display_file(specs: Path, name: str) -> str:
    """Diagnostics carry names relative to the spec root; show them relative to where the user ran us."""
    if name.startswith("<") or not specs.exists():
        return name
    base = specs if specs.is_dir() else specs.parent
    return (base / name).as_posix() if str(base) not in ("", ".") else name


def _print_diagnostics(specs: Path, diags: list, fmt: LintFormat, stream=None) -> None:  # type: ignore[no-untyped-def]
    from roundtrip.diagnostics import Severity

    out = stream or sys.stdout
    if fmt is LintFormat.json:
        items = []
        for d in diags:
            item = d.to_json()
            item["file"] = _display_file(specs, d.span.file)
            items.append(item)
        out.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return
    for d in diags:
        f = _display_file(specs, d.span.file)
        if fmt is LintFormat.github:
            level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(d.severity, "notice")
            msg = d.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            out.write(f"::{level} file={f},line={max(d.span.line, 1)},title={d.code}::{msg}\n")
        else:
            out.write(f"{f}:{d.span.line}: {d.severity} {d.code}: {d.message}\n")
    if fmt is LintFormat.text:
        counts = {s: sum(1 for d in diags if d.severity is s) for s in Severity}
        out.write(f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info\n")


def _exit_for(diags: list) -> int:  # type: ignore[type-arg]
    from roundtrip.diagnostics import has_errors

    return EXIT_FINDINGS if has_errors(diags) else EXIT_OK


def _usage_errors(diags: list) -> list:  # type: ignore[type-arg]
    """Missing path / empty folder are usage errors (exit 2), not findings in the docs."""
    return [d for d in diags if d.code in ("RT101", "RT102")]


@app.command()
def lint(
    specs: SpecsArg,
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = LintFormat.text,
) -> None:
    """Report every gap and contradiction in the docs, with file:line."""
    from roundtrip import api

    result, _ = api.compile_path(specs)
    _print_diagnostics(specs, result.diagnostics, format)
    if _usage_errors(result.diagnostics):
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(_exit_for(result.diagnostics))


@app.command("compile")
def compile_cmd(
    specs: SpecsArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the OpenAPI document here (default: stdout).")] = None,
    format: Annotated[DocFormat | None, typer.Option("--format", "-f", help="yaml or json (default: from -o's suffix, else yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an output file that roundtrip did not generate.")] = False,
) -> None:
    """Compile the docs into an OpenAPI 3.1 document. Diagnostics go to stderr."""
    from roundtrip import api
    from roundtrip.writer import OwnedFileError, write_atomic

    result, doc = api.compile_path(specs)
    _print_diagnostics(specs, result.diagnostics, LintFormat.text, sys.stderr)
    if _usage_errors(result.diagnostics):
        raise typer.Exit(EXIT_USAGE)
    fmt = format or (DocFormat.json if output is not None and output.suffix == ".json" else DocFormat.yaml)
    text = api.render_openapi(doc, result.spec.files, fmt.value)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            changed = write_atomic(output, text, force=force)
        except OwnedFileError as err:
            _fail(str(err))
        typer.echo(f"{'wrote' if changed else 'unchanged'} {output}", err=True)
    raise typer.Exit(_exit_for(result.diagnostics))


@app.command()
def ir(specs: SpecsArg) -> None:
    """Dump the compiled IR (the typed model of API and data) as JSON."""
    from roundtrip import api
    from roundtrip.ir.serialize import to_data

    result = api.load(specs)
    _print_diagnostics(specs, result.diagnostics, LintFormat.text, sys.stderr)
    if _usage_errors(result.diagnostics):
        raise typer.Exit(EXIT_USAGE)
    sys.stdout.write(json.dumps(to_data(result.spec), indent=2, ensure_ascii=False) + "\n")
    raise typer.Exit(_exit_for(result.diagnostics))


OutArg = Annotated[Path, typer.Option("--output", "-o", help="The generated backend folder.", show_default=False)]
DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL (default: DATABASE_URL, else a SQLite file inside OUT).")]


@app.command()
def generate(
    specs: SpecsArg,
    output: OutArg,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files in OUT that roundtrip did not generate.")] = False,
) -> None:
    """Generate the reference backend from the docs: SQLAlchemy models, Alembic migrations, seed data, OpenAPI."""
    from roundtrip import api

    gen = api.generate(specs, output, force=force)
    _print_diagnostics(specs, gen.result.diagnostics, LintFormat.text, sys.stderr)
    if _usage_errors(gen.result.diagnostics):
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"{output}: {len(gen.written)} written, {len(gen.unchanged)} unchanged", err=True)
    for rel in gen.refused:
        typer.echo(f"roundtrip: kept {output / rel}: it was not generated by roundtrip (use --force to replace it)", err=True)
    raise typer.Exit(EXIT_USAGE if gen.refused else _exit_for(gen.result.diagnostics))


db_app = typer.Typer(no_args_is_help=True, help="Apply migrations and seed data to a database, or compare a database with the docs.")
app.add_typer(db_app, name="db")


def _db_call(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run a roundtrip.db function; its DbError is a clear, expected failure (exit 1), not a traceback."""
    from roundtrip.db import DbError

    try:
        return fn(*args, **kwargs)
    except DbError as err:
        typer.echo(f"roundtrip: {err}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None


@db_app.command("upgrade")
def db_upgrade(
    out: Annotated[Path, typer.Argument(help="The generated backend folder.")],
    db: DbOpt = None,
    seed: Annotated[bool, typer.Option("--seed", help="Load the docs' sample rows after migrating.")] = False,
) -> None:
    """Migrate a database to the newest revision (alembic upgrade head)."""
    import roundtrip.db as rdb

    _db_call(rdb.upgrade, out, db)
    typer.echo(f"upgraded to {_db_call(rdb.current_revision, out, db)}", err=True)
    if seed:
        report = _db_call(rdb.seed, out, db)
        typer.echo(str(report), err=True)


@db_app.command("downgrade")
def db_downgrade(
    out: Annotated[Path, typer.Argument(help="The generated backend folder.")],
    db: DbOpt = None,
    to: Annotated[str, typer.Option("--to", help="Target revision.")] = "base",
) -> None:
    """Migrate a database down (default: to base, removing everything the migrations created)."""
    import roundtrip.db as rdb

    _db_call(rdb.downgrade, out, db, to=to)
    typer.echo(f"downgraded to {to}", err=True)


@db_app.command("seed")
def db_seed(
    out: Annotated[Path, typer.Argument(help="The generated backend folder.")],
    db: DbOpt = None,
    fake: Annotated[int, typer.Option("--fake", help="Add N generated rows per table (types, checks and keys hold).")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for --fake (same seed, same rows).")] = 0,
) -> None:
    """Load the docs' sample rows (idempotent), plus --fake N rows per table."""
    import roundtrip.db as rdb

    report = _db_call(rdb.seed, out, db, fake=fake, seed=seed)
    typer.echo(str(report), err=True)


@db_app.command("check")
def db_check(
    specs: SpecsArg,
    db: Annotated[str, typer.Option("--db", help="Database URL to reflect and compare with the docs.")],
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = LintFormat.text,
) -> None:
    """Reflect a live database and report every difference from the docs (exit 1 when it differs)."""
    import tempfile

    import roundtrip.db as rdb
    from roundtrip import api

    result = api.load(specs)
    if _usage_errors(result.diagnostics):
        _print_diagnostics(specs, result.diagnostics, LintFormat.text, sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    with tempfile.TemporaryDirectory(prefix="roundtrip-check-") as tmp:
        from roundtrip.writer import write_tree

        write_tree(Path(tmp), api.data_layer_files(result.spec))
        diags = _db_call(rdb.check, Path(tmp), db, result.spec)
    _print_diagnostics(specs, diags, format)
    raise typer.Exit(_exit_for(diags))


@app.command()
def docs(
    specs: Annotated[Path | None, typer.Argument(help="A spec folder or file to render canonically.", show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the canonical docs.")] = Path("docs-canonical"),
    from_openapi: Annotated[str | None, typer.Option("--from-openapi", help="Import an OpenAPI 3.0/3.1 file or URL.")] = None,
    from_db: Annotated[str | None, typer.Option("--from-db", help="Import a live PostgreSQL or SQLite database.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files roundtrip did not generate.")] = False,
) -> None:
    """Render docs as canonical Markdown: from a spec folder, an OpenAPI document, or a database."""
    from roundtrip import api
    from roundtrip.writer import write_tree

    sources = [x for x in (specs, from_openapi, from_db) if x is not None]
    if len(sources) != 1:
        _fail("give exactly one of SPECS, --from-openapi or --from-db")
    try:
        if specs is not None:
            result = api.load(specs)
            if _usage_errors(result.diagnostics):
                _print_diagnostics(specs, result.diagnostics, LintFormat.text, sys.stderr)
                raise typer.Exit(EXIT_USAGE)
            spec = result.spec
        elif from_openapi is not None:
            spec = api.spec_from_openapi(from_openapi)
        else:
            spec = api.spec_from_database(str(from_db))
    except typer.Exit:
        raise
    except Exception as err:  # noqa: BLE001 - unreadable input is a usage problem, reported in one line
        _fail(f"cannot import: {type(err).__name__}: {err}")
    written, unchanged, refused = write_tree(output, api.canonical_docs(spec), force=force)
    typer.echo(f"{output}: {len(written)} written, {len(unchanged)} unchanged", err=True)
    for rel in refused:
        typer.echo(f"roundtrip: kept {output / rel}: it was not generated by roundtrip (use --force)", err=True)
    raise typer.Exit(EXIT_USAGE if refused else EXIT_OK)


@app.command("sync")
def sync_cmd(
    specs: SpecsArg,
    from_openapi: Annotated[str, typer.Option("--from-openapi", help="The backend's OpenAPI 3.0/3.1 document: a file or an http(s) URL.", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the changes as a unified diff; write nothing.")] = False,
) -> None:
    """Update the docs from a backend's OpenAPI: only the changed tables, examples and interfaces; prose is kept."""
    from roundtrip.sync import SyncError, sync_docs
    from roundtrip.writer import write_atomic

    try:
        result = sync_docs(specs, from_openapi)
    except SyncError as err:
        _fail(str(err))
    if dry_run:
        sys.stdout.write(result.unified_diff())
    else:
        for rel, text in sorted(result.changed().items()):
            write_atomic(result.root / rel, text, force=True)  # the docs are the user's: sync is asked to edit them
    typer.echo(result.summary(), err=True)
    raise typer.Exit(EXIT_OK)


class DiffFormat(str, enum.Enum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


class FailOn(str, enum.Enum):
    breaking = "breaking"
    warning = "warning"


@app.command("diff")
def diff_cmd(
    old: Annotated[str, typer.Argument(help="Old spec folder, or a git revision `REV[:subdir]` (subdir default: specs).")],
    new: Annotated[str, typer.Argument(help="New spec folder, or a git revision `REV[:subdir]`.")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 on changes of this severity or worse.")] = FailOn.breaking,
) -> None:
    """Classify every change between two versions of the docs (API and database) with a rule ID and severity."""
    import contextlib

    from roundtrip import api
    from roundtrip.diff import diff_specs
    from roundtrip.diff.report import exit_code, render
    from roundtrip.diff.revision import RevisionError

    try:
        with contextlib.ExitStack() as stack:
            a, a_root = api.load_side(old, stack)
            b, b_root = api.load_side(new, stack)
            changes = diff_specs(a, b)
    except RevisionError as err:
        _fail(str(err))
    sys.stdout.write(render(changes, format.value, fail_on=fail_on.value, old_root=a_root, new_root=b_root))
    raise typer.Exit(exit_code(changes, fail_on.value))


@app.command()
def serve(
    target: Annotated[Path, typer.Argument(help="A spec folder (compiled and generated into .roundtrip-cache/) or a generated backend folder.")],
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    reset: Annotated[bool, typer.Option("--reset", help="Start from an empty database (migrate and seed again).")] = False,
) -> None:
    """Run the reference backend / mock server: migrate, seed, print the URL, docs page and test accounts, serve."""
    from roundtrip.serve import ServeError
    from roundtrip.serve import serve as run_serve

    try:
        run_serve(target, db=db, host=host, port=port, reset=reset)
    except ServeError as err:
        _fail(str(err), EXIT_FINDINGS)


@app.command()
def check(
    specs: SpecsArg,
    output: OutArg,
) -> None:
    """Regenerate in memory and compare with OUT: exit 1 with a unified diff when the committed tree is stale."""
    from roundtrip.verify import check_tree

    result = check_tree(specs, output)
    if result.usage_error:
        _fail(result.summary())
    sys.stdout.write(result.unified_diff())
    _print_diagnostics(specs, result.diagnostics, LintFormat.text, sys.stderr)
    typer.echo(result.summary(), err=True)
    raise typer.Exit(result.exit_code)


class VerifyFormat(str, enum.Enum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


@app.command()
def verify(
    specs: SpecsArg,
    app_dir: Annotated[Path | None, typer.Option("--app", help="A generated backend folder: started on a fresh database (SQLite, or a new one on the --db PostgreSQL server).")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="A running backend (any framework).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL to compare with the docs; with --app, the PostgreSQL server to run the app on.")] = None,
    token: Annotated[str | None, typer.Option("--token", help="Bearer token for protected endpoints.")] = None,
    login: Annotated[str | None, typer.Option("--login", help="EMAIL:PASSWORD to log in with the documented login endpoint.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for generated requests.")] = 0,
    max_examples: Annotated[int, typer.Option("--max-examples", help="schemathesis budget per operation.")] = 10,
    format: Annotated[VerifyFormat, typer.Option("--format", "-f")] = VerifyFormat.text,
    report: Annotated[Path | None, typer.Option("--report", help="Also write the report here (.json → JSON, .xml → JUnit, else text).")] = None,
    min_coverage: Annotated[float | None, typer.Option("--min-coverage", help="Fail below this % of documented statuses exercised.")] = None,
) -> None:
    """Verify a backend and a database against the docs: docs, interface, database and behaviour stages."""
    from roundtrip.verify import render
    from roundtrip.verify import verify as run_verify
    from roundtrip.writer import write_atomic

    rep = run_verify(specs, app=app_dir, base_url=base_url, db=db, token=token, login=login, seed=seed,
                     max_examples=max_examples, min_coverage=min_coverage)
    if rep.usage_error:
        _fail(rep.usage_error)
    show = lambda f: _display_file(specs, f)  # noqa: E731
    sys.stdout.write(render(rep, format.value, display=show))
    if report is not None:
        fmt = {".json": "json", ".xml": "junit"}.get(report.suffix, "text")
        write_atomic(report, render(rep, fmt, display=show), force=True)
    raise typer.Exit(rep.exit_code)


def main() -> None:
    """Entry point: maps every unexpected exception to exit 3 with a short report, never a bare traceback."""
    try:
        # standalone_mode=False makes click *return* the code of a typer.Exit instead of exiting
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else EXIT_OK)
    except typer.Exit as ex:
        sys.exit(ex.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001
        # Typer vendors click (typer._click); recognize its usage errors by class name, not by import path.
        kinds = {c.__name__ for c in type(exc).__mro__}
        if "ClickException" in kinds:
            exc.show()  # type: ignore[attr-defined]
            sys.exit(EXIT_USAGE)
        if "Abort" in kinds:
            sys.exit(EXIT_USAGE)
        typer.echo(f"roundtrip: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("".join(traceback.format_exception(exc)[-3:]), err=True)
        typer.echo("please report this with the input that caused it", err=True)
        sys.exit(EXIT_INTERNAL)
