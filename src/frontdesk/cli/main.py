"""The `frontdesk` command line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console

from frontdesk.auth.scopes import parse_scopes
from frontdesk.auth.service import count_keys, create_key
from frontdesk.cli.context import open_database
from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.invariants.checks import check_all
from frontdesk.settings import get_settings

app = typer.Typer(
    help="Frontdesk: bookings, orders, payments and passes.", no_args_is_help=True
)
keys = typer.Typer(help="API keys.", no_args_is_help=True)
imports = typer.Typer(help="Move in from another booking system.", no_args_is_help=True)
app.add_typer(keys, name="keys")
app.add_typer(imports, name="import")

err = Console(stderr=True)


@keys.command("create")
def keys_create(
    name: str = typer.Option(..., "--name"),
    scopes: str = typer.Option(..., "--scopes", help="comma-separated, or 'all'"),
) -> None:
    """Print a new API key's secret on stdout, and nothing else."""
    try:
        chosen = parse_scopes(scopes)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    with open_database() as context, unit_of_work(context.sessions) as db:
        _key, secret = create_key(db, name=name, scopes=chosen)
    typer.echo(secret)


@app.command()
def check() -> None:
    """Verify the invariants over the whole database; exit 1 on any breach."""
    with open_database() as context, unit_of_work(context.sessions) as db:
        breaches = check_all(db)
    for breach in breaches:
        typer.echo(str(breach))
    if breaches:
        typer.echo(f"{len(breaches)} breaches")
        raise typer.Exit(1)
    typer.echo("no breach: the books add up")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers"),
) -> None:
    """Migrate the database if needed and serve the API and the desk."""
    with open_database() as context, unit_of_work(context.sessions) as db:
        if count_keys(db) == 0:
            _key, secret = create_key(db, name="owner", scopes=parse_scopes("all"))
            err.print("First owner key (shown once):")
            typer.echo(secret)
    _run_server(host, port, workers)


def _run_server(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "frontdesk.api.wsgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@app.command()
def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Run the open-water swim season (scenario S00) and serve the desk."""
    from frontdesk.demo.season import run_demo

    # The demo's hundreds of events would bury its roster: warnings only.
    quiet = replace(get_settings(), log_level="WARNING")
    with open_database(quiet) as context:
        secret, session_id = run_demo(context, Console())
    if serve_after:
        err.print(f"Roster page: http://127.0.0.1:{port}/desk/?session={session_id}")
        err.print(f"API key for it: {secret}")
        _run_server("127.0.0.1", port, 1)


@imports.command("wix")
def import_wix(
    directory: Path = typer.Argument(..., exists=True, file_okay=False),
) -> None:
    """Import Wix Bookings API records (services, bookings, resources)."""
    from frontdesk.imports.wix import import_directory, print_report

    with open_database() as context, unit_of_work(context.sessions) as db:
        report = import_directory(db, directory)
        print_report(report, Console())
        if report.unreadable_files:
            # Leaving the block by an exception rolls the whole import back.
            err.print("[red]A file could not be read: nothing was imported.[/red]")
            raise typer.Exit(1)
