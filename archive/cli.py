"""The ``evidence`` command line: thin click commands that parse, call and print.

Every command takes ``--home`` (or ``ARCHIVE_HOME``); commands that print
data take ``--json``. Errors the archive raises on purpose become
``click.ClickException`` with their message; long work shows a progress bar
on standard error.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from archive.errors import ArchiveError, BatchStoppedError
from archive.models import counted
from archive.settings import ACCESS_LEVELS, Settings, max_workers

F = TypeVar("F", bound=Callable[..., Any])


def translate_errors(func: F) -> F:
    """Turn an :class:`ArchiveError` into a click error with the same message, and Ctrl-C into status 130.

    Left to click, Ctrl-C was "Aborted!" and status 1, which for ``verify`` is the status of a problem found.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ArchiveError as error:
            raise click.ClickException(str(error)) from error
        except KeyboardInterrupt as interruption:  # or SIGTERM, where a command takes it as Ctrl-C (Terminated)
            context = click.get_current_context()
            terminated = isinstance(interruption, Terminated)
            click.echo(f"{context.command_path} stopped by {'SIGTERM' if terminated else 'Ctrl-C'}", err=True)
            context.exit(TERMINATED if terminated else INTERRUPTED)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="ARCHIVE_HOME",
              help="Archive home (catalog, originals, index). Default: ARCHIVE_HOME, else ./archive-home.")
@click.version_option(package_name="evidence-archive")
@click.pass_context
@translate_errors
def main(ctx: click.Context, home: Path | None) -> None:
    """Keep legal evidence documents safe and find them by the treaty articles they invoke."""
    _tolerate_narrow_terminals()
    ctx.obj = Settings.from_env(home=home)


def _tolerate_narrow_terminals() -> None:
    """Under a locale that is not UTF-8 (LANG=en_US.ISO-8859-1), print what it cannot show as escapes.

    Titles, issuers and snippets are Russian, Azerbaijani, dashes and ellipses: printing one was a
    UnicodeEncodeError traceback, and `search` stopped at the first such hit.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding and encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


@contextlib.contextmanager
def printing() -> Iterator[None]:
    """Turn a failure to write standard output (a full disk under ``> results.txt``) into a message that says so,
    not a traceback; a closed pipe (``| head``) is left to click, which ends the command quietly with status 1."""
    try:
        yield
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise
        raise click.ClickException(f"standard output could not be written: {error.strerror or error}") from error


#: Characters a terminal takes for commands rather than text: C0 controls but tab and line feed, DEL, C1 controls.
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def as_terminal_text(text: str) -> str:
    """``text`` to print as it reads, doing nothing to the terminal: a control character that a document brought in
    its title, pages or file name (an escape sequence that sets the window's title, plants a link or clears the
    screen; a carriage return that prints over the line) is written as ``\\xNN``, as the archive writes the odd bytes
    of a file name. A CR LF line end is a line end."""
    return TERMINAL_CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}", text.replace("\r\n", "\n"))


def settings_of(ctx: click.Context) -> Settings:
    return ctx.find_root().obj


#: Exit status of ``evidence ingest`` when the batch ran to its end but some files failed.
SOME_FILES_FAILED = 3
#: Exit status of ``evidence ingest`` when the archive could not be written (a full disk) and the batch stopped.
BATCH_STOPPED = 4
#: Exit status of a command stopped with Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130
#: Exit status of ``evidence ingest`` or ``reindex`` stopped by SIGTERM (a job's time limit, a service stopping):
#: 128 + SIGTERM.
TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken like Ctrl-C: a batch stops between two files, says how far it got, and can be resumed; a
    reindex stops and leaves the index in use."""


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """Turn the first SIGTERM into :class:`Terminated`; a second one ends the process at once (as SIGKILL would,
    which a batch also survives)."""
    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(min=1, max=max_workers()),
              help="Extraction processes (default: ARCHIVE_WORKERS, else one per core).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with a 'path' column and metadata columns.")
@click.option("--password", "passwords", multiple=True, help="A password to try on encrypted PDFs (repeatable).")
@click.option("--passwords-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file of passwords to try on encrypted PDFs, one a line, as written (spaces count).")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every file's outcome to this file: JSON (with the counts), or CSV, one row a file, "
                   "when FILE ends in .csv.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Extract on this Dask cluster instead of local processes (--workers is then ignored); "
                   "needs pip install 'evidence-archive[distributed]'.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the archive already holds documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
@translate_errors
def ingest(ctx: click.Context, paths: tuple[Path, ...], workers: int | None, manifest: Path | None,
           passwords: tuple[str, ...], passwords_file: Path | None, report: Path | None, scheduler: str | None,
           if_empty: bool, as_json: bool, quiet: bool) -> None:
    """Ingest files and folders (PDF, TXT, MD, HTML with NAME.meta.json sidecars).

    A file that fails is recorded with its reason and the batch goes on; the
    exit status is then 3 (0 when every file went in or was already there, 1
    when the command itself could not run, 2 when the command line is wrong,
    such as a PATH or --report folder that does not exist, 4 when the
    archive could not be written, a full disk, or the workers kept dying, and
    the batch stopped: run it again once fixed; 130 after Ctrl-C and 143
    after SIGTERM, which stop it the same way).
    """
    from archive.ingest import ingest as run_ingest
    from archive.store import Archive

    settings = settings_of(ctx)
    for path in paths:
        _refuse_the_home_as_a_batch(path, settings)
    if if_empty and settings.catalog_path.exists():
        with Archive(settings) as archive:
            if archive.count_documents():
                held = counted(archive.count_documents(), "document")
                click.echo(f"{settings.home} already holds {held}; nothing to do", err=as_json)
                if as_json:  # standard output holds the JSON summary alone: here, of no batch (no run id)
                    _echo_json_summary(_no_batch())
                return
    if report:
        _check_report_target(report, settings)  # before the batch, not after an hour of work
    all_passwords = list(passwords) + (_read_passwords(passwords_file) if passwords_file else [])
    stopped: BatchStoppedError | None = None
    with _ProgressBar(disable=quiet or as_json) as bar, _stopped_by_sigterm():
        try:
            result = run_ingest(list(paths), settings, manifest=manifest, passwords=all_passwords,
                                progress=bar.step, status=bar.status, workers=workers, scheduler=scheduler,
                                listed=bar.listed, skip=[report] if report else [])
        except BatchStoppedError as error:  # the archive's disk is full (or failing): report what went in
            stopped, result = error, error.report
        except KeyboardInterrupt as interruption:
            bar.bar.close()
            terminated = isinstance(getattr(interruption, "interruption", interruption), Terminated)
            so_far = getattr(interruption, "report", None)  # none when it came before the batch began
            done = so_far.files if so_far is not None else bar.files  # the catalog's count: the bar's can lag by one
            how_far = (f"stopped by {'SIGTERM' if terminated else 'Ctrl-C'} "
                       + (f"after {done} of {bar.total} files" if bar.total is not None
                          else "while listing the batch's files"))
            if so_far is not None:
                so_far.stopped = how_far
                if report:
                    _write_report(settings, so_far, report, stopped=True)
                if as_json:  # what went in, as after a full disk: a job reading the JSON gets it, with why it stopped
                    _echo_summary(so_far, as_json=True)
            click.echo(f"{how_far}: what was stored is kept (each file whole or not at all); run the same command "
                       "again to ingest the rest (stored files are skipped, and documents not yet searchable are "
                       "indexed first)", err=True)
            ctx.exit(TERMINATED if terminated else INTERRUPTED)
    if report:
        _write_report(settings, result, report, stopped=stopped is not None)
    if not as_json:
        _echo_failures(settings, result.run_id)
    _echo_summary(result, as_json=as_json)
    if result.manifest_unmatched:
        shown = "\n  ".join(result.manifest_unmatched[:10])
        more = f"\n  … and {len(result.manifest_unmatched) - 10} more" if len(result.manifest_unmatched) > 10 else ""
        click.echo(as_terminal_text(f"warning: {len(result.manifest_unmatched)} manifest rows name no file of this "
                                    f"batch (their metadata was not used):\n  {shown}{more}"), err=True)
    if stopped:
        click.echo(f"Error: {stopped}", err=True)
        ctx.exit(BATCH_STOPPED)
    if result.failed:
        ctx.exit(SOME_FILES_FAILED)


def _read_passwords(path: Path) -> list[str]:
    """One a line, as written: spaces count; a byte order mark and line ends do not."""
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.BadParameter(f"{path} is not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
                                 f"{error.start}): save it as UTF-8, one password a line",
                                 param_hint="--passwords-file") from None
    except OSError as error:
        raise click.BadParameter(f"{path} cannot be read: {error.strerror or error}",
                                 param_hint="--passwords-file") from None
    return [line for line in text.splitlines() if line]


def _echo_summary(result: Any, *, as_json: bool) -> None:
    """The batch's summary on standard output; one that cannot be written there (a full disk under ``> log``, a
    closed pipe) is said on standard error instead: the batch ran, and its exit status must still say how."""
    try:
        if as_json:
            _echo_json_summary(result)
        else:
            click.echo(result.summary())
    except OSError as error:
        click.echo(f"warning: standard output could not be written ({error.strerror or error}): {result.summary()}",
                   err=True)


def _echo_json_summary(result: Any) -> None:
    echo_json({**vars(result), "files": result.files})


def _no_batch() -> Any:
    """The summary of a batch that did not run (``--if-empty`` on an archive holding documents)."""
    import datetime as dt

    from archive.ingest import IngestReport

    now = dt.datetime.now(dt.UTC).isoformat()
    return IngestReport(run_id="", started=now, finished=now)


def _write_report(settings: Settings, result: Any, report: Path, *, stopped: bool = False) -> None:
    """Write the batch's report; when the batch stopped early, a report that cannot be written (on the same
    full disk, say) is a warning, so that why the batch stopped is still said and its exit status kept."""
    from archive.ingest import write_report
    from archive.store import Archive

    try:
        with Archive(settings) as archive:
            write_report(archive, result, report)
    except (OSError, ArchiveError) as error:
        message = f"the batch ran ({result.summary()}) but its report could not be written to {report}: {error}"
        if not stopped:
            raise click.ClickException(message) from error
        click.echo(f"warning: {message}", err=True)


def _check_report_target(report: Path, settings: Settings) -> None:
    """Refuse a ``--report`` path that cannot be written before the batch runs, not after it."""
    refuse_inside_home(report, settings, param_hint="--report")
    folder = report.parent
    if not folder.is_dir():
        raise click.BadParameter(f"{report}: the folder {folder} does not exist", param_hint="--report")
    if not os.access(folder, os.W_OK | os.X_OK) or (report.exists() and not os.access(report, os.W_OK)):
        raise click.BadParameter(f"{report}: cannot write there", param_hint="--report")


def refuse_inside_home(path: Path, settings: Settings, *, param_hint: str) -> None:
    """Refuse an output file in the archive home, which holds the archive's own files alone: a report or an export
    named like one of them (``catalog.sqlite3``, by a slip of tab completion) replaced the catalog and its custody
    ledger. Links are followed, to where the file would be written."""
    if _within(path, settings.home):
        raise click.BadParameter(f"{path} is inside the archive home {settings.home}, which holds the archive's own "
                                 "files alone: write it elsewhere", param_hint=param_hint)


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or inside it, links followed."""
    target, root = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return target == root or root in target.parents


def _refuse_the_home_as_a_batch(path: Path, settings: Settings) -> None:
    """Refuse a batch PATH that is the archive home or a folder of it (but for the uploads the web app keeps there):
    with ``--home`` or ARCHIVE_HOME set to the evidence folder, every later batch read the catalog, the index and the
    originals as evidence, and failed them."""
    from archive.uploads import UPLOADS

    if _within(path, settings.home) and not _within(path, settings.home / UPLOADS):
        raise click.BadParameter(f"{path} is the archive home {settings.home} or a folder of it, which holds the "
                                 "archive's own files: give the folders of evidence, and --home (or ARCHIVE_HOME) a "
                                 "folder of its own", param_hint="PATHS")


def _echo_failures(settings: Settings, run_id: str) -> None:
    from archive.store import Archive

    with Archive(settings) as archive:
        for row in archive.outcomes(run_id):
            if row["outcome"] == "failed":
                line = f"failed: {row['path']}: {row['reason']} ({row['detail']})"
            elif row["outcome"] == "ingested" and row["detail"]:
                line = f"note: {row['path']}: {row['control_number']}: {row['detail']}"
            elif row["outcome"] == "duplicate":
                line = f"skipped: {row['path']}: already in the archive ({row['detail']})"
            else:
                continue
            click.echo(as_terminal_text(line), err=True)


class _ProgressBar:
    def __init__(self, disable: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(unit="file", disable=disable, file=sys.stderr, dynamic_ncols=True)
        self.pages = 0
        self.files = 0  # counted here: a disabled bar (--quiet, --json) counts nothing
        self.total: int | None = None  # until the batch's folders are walked

    def listed(self, total: int) -> None:
        self.total = self.bar.total = total
        self.bar.refresh()

    def step(self, outcome: Any) -> None:
        self.files += 1
        self.pages += outcome.pages
        self.bar.set_postfix(pages=self.pages, refresh=False)
        self.bar.update(1)

    def status(self, doing: str) -> None:
        """Say what the writer is busy with between files (an index commit can take minutes), or nothing."""
        self.bar.set_postfix_str(f"pages={self.pages}" + (f", {doing}" if doing else ""), refresh=True)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


FILTER = re.compile(r"^(\w+)=(.+)$")
#: The words the index reads as a yes or a no (Whoosh's BOOLEAN field reads every other word as no).
SYNTHETIC_VALUES = ("true", "false", "yes", "no", "t", "f", "1", "0")


class QueryCommand(click.Command):
    """A command (search, export) whose QUERY may start with ``-``, which leaves out what follows it
    (``-article:GCIV-147``): click took it for an unknown option ("No such option '-a'"). A long option
    (``--jsn``) is still an option, and so is any spelling of the command's own short options (``-o FILE``,
    ``-oFILE``); a query that reads as one goes after ``--``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [param for param in self.get_params(ctx) if isinstance(param, click.Option)]
        names = {name for option in options for name in (*option.opts, *option.secondary_opts)}
        valued = {name for option in options if not option.is_flag for name in option.opts}
        for i, arg in enumerate(args):
            if arg == "--":
                break
            if arg.startswith("-") and len(arg) > 1 and not spells_options(arg, names, valued) \
                    and (i == 0 or args[i - 1] not in valued):
                return super().parse_args(ctx, [*args[:i], *args[i + 1:], "--", arg])
        return super().parse_args(ctx, args)


def spells_options(arg: str, names: set[str], valued: set[str]) -> bool:
    """Whether click reads ``arg`` as options: any long option (a mistyped one is refused as such), a name it
    knows, or short options run together as click reads them, flags until one that takes the rest of ``arg`` as
    its value (``-oFILE``, ``-qoFILE``). ``-landmines`` is none of these when no ``-l`` is defined."""
    if arg.startswith("--") or arg in names:
        return True
    for letter in arg[1:]:
        short = f"-{letter}"
        if short not in names:
            return False
        if short in valued:
            return True
    return True


@main.command(cls=QueryCommand)
@click.argument("query", default="")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Keep only documents with this facet value (repeatable).")
@click.option("--access", "access", type=click.Choice(ACCESS_LEVELS), multiple=True, default=("public",),
              show_default=True, help="Access levels to search (repeatable); whoever holds the home may read all.")
@click.pass_context
@translate_errors
def search(ctx: click.Context, query: str, as_json: bool, limit: int, offset: int, sort: str,
           filters: tuple[str, ...], access: tuple[str, ...]) -> None:
    """Search the archive. QUERY uses Whoosh syntax, e.g. 'landmines AND type:appeal'; a leading '-' leaves
    out what follows it: 'landmines -article:GCIV-147'."""
    from archive.service import search_archive

    results = search_archive(settings_of(ctx), query, selected=_selected(filters), limit=limit, offset=offset,
                             sort=sort, access=access)
    with printing():
        _echo_results(results, as_json=as_json)


def _echo_results(results: Any, *, as_json: bool) -> None:
    if as_json:
        echo_json(results_as_dict(results))
        return
    click.echo(counted(results.total, "document"))
    if results.suggestion:
        click.echo(as_terminal_text(f"Did you mean: {results.suggestion}"))
    if results.reference_query:
        click.echo(as_terminal_text(f"Cites a treaty; every form of the citation: {results.reference_query}"))
    for hit in results.hits:
        marker = "[synthetic] " if hit.synthetic else ""
        click.echo(as_terminal_text(f"{hit.control_number}  {hit.date or '----------':<10}  {hit.type:<12} "
                                    f"{marker}{hit.title}"))
        for page in hit.pages:
            click.echo(as_terminal_text(f"    p. {page.page}: {_plain(page.snippet)}"))
        if hit.matching_pages > len(hit.pages):
            more = hit.matching_pages - len(hit.pages)
            plural = "s" if more > 1 else ""
            click.echo(f"    … and {more} more page{plural} (evidence show {hit.control_number} --text)")


def _selected(filters: Sequence[str]) -> dict[str, list[str]]:
    """The facet values of ``--filter FIELD=VALUE`` options, by index field."""
    from index import FACET_FIELDS

    filterable = (*FACET_FIELDS, "synthetic")
    selected: dict[str, list[str]] = {}
    for item in filters:
        match = FILTER.match(item)
        if not match:
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE, e.g. type=appeal", param_hint="--filter")
        field = "issuer_facet" if match[1] == "issuer" else match[1]
        if field not in filterable:  # an unknown field filtered out everything: "0 documents", exit 0
            fields = ", ".join(name.removesuffix("_facet") for name in filterable)
            raise click.BadParameter(f"{match[1]!r} is not a field to filter on; fields are: {fields}",
                                     param_hint="--filter")
        if field == "synthetic" and match[2].lower() not in SYNTHETIC_VALUES:  # any other word was "false"
            raise click.BadParameter(f"{item!r}: synthetic is true or false", param_hint="--filter")
        selected.setdefault(field, []).append(match[2])
    return selected


#: The formats of ``evidence export`` (those of the web app's export): kept here so that ``--help`` needs no import.
EXPORT_FORMATS = ("csv", "jsonl", "csl-json", "bibtex", "ris")


@main.command("export", cls=QueryCommand)
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.argument("query", default="")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Keep only documents with this facet value (repeatable).")
@click.option("--access", "access", type=click.Choice(ACCESS_LEVELS), multiple=True, default=("public",),
              show_default=True, help="Access levels to export from (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the export to this file (put in place once whole). Default: standard output.")
@click.pass_context
@translate_errors
def export_command(ctx: click.Context, fmt: str, query: str, sort: str, filters: tuple[str, ...],
                   access: tuple[str, ...], output: Path | None) -> None:
    """Export every document a search finds as FORMAT: csv, jsonl, csl-json, bibtex or ris.

    The same files as the web app's export, with permalinks on ARCHIVE_PUBLIC_URL (which must be set).
    Each export is recorded in custody (`exported`, with the query, the filters and the documents).
    """
    from archive.exports import OutputError, export_search, writing

    settings = settings_of(ctx)
    selected = _selected(filters)
    if output:
        refuse_inside_home(output, settings, param_hint="--output")

    def to_stdout(piece: str) -> None:
        with writing(None):
            _echo_file(piece)

    try:
        with _stopped_by_sigterm():  # a job's time limit: the file being written is removed, as after Ctrl-C
            exported = export_search(settings, fmt, query, output or to_stdout, selected=selected, sort=sort,
                                     access=access)
    except OutputError as failed:
        if failed.target is not None:
            raise click.FileError(str(failed.target), hint=failed.error.strerror or str(failed)) from failed
        with printing():  # standard output: said as any command says it (`| head` ends quietly, status 1)
            raise failed.error from None
    except OSError as error:  # reading the index or the catalog: not the output's fault
        raise click.ClickException(f"the archive could not be read: {error}") from error
    where = f" to {output}" if output else ""
    events = ", ".join(f"#{seq}" for seq in exported.events)
    click.echo(f"exported {counted(exported.documents, 'document')}{where} as {fmt}; "
               f"recorded in custody as event{'s' if len(exported.events) != 1 else ''} {events}", err=True)


def echo_json(data: Any) -> None:
    """``data`` as JSON on standard output, in UTF-8 whatever the locale: under a Latin-1 one, ``é`` went out as one
    Latin-1 byte and ``😀`` as ``\\U0001f600``, which no JSON reader takes."""
    _echo_file(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _echo_file(text: str) -> None:
    """``text``, the content of a file (an export, a citation), to standard output as UTF-8 whatever the locale:
    the same bytes as the web app sends."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def _plain(snippet: str) -> str:
    import html

    return html.unescape(re.sub(r"</?mark[^>]*>", "*", snippet)).replace("\n", " ")


def hit_as_dict(hit: Any) -> dict[str, Any]:
    """One result document as JSON data, without its pages (shared by search results and similar documents)."""
    return {"id": hit.doc_id, "control_number": hit.control_number, "title": hit.title, "date": hit.date,
            "type": hit.type, "issuer": hit.issuer, "score": hit.score, "synthetic": hit.synthetic}


def results_as_dict(results: Any) -> dict[str, Any]:
    """The JSON shape of search results, shared by the CLI and the API."""
    return {
        "query": results.request.query,
        "total": results.total,
        "offset": results.request.offset,
        "limit": results.request.limit,
        "hits": [
            {**hit_as_dict(h), "pages": [{"page": p.page, "snippet": p.snippet} for p in h.pages],
             "matching_pages": h.matching_pages}
            for h in results.hits
        ],
        "facets": {name: [{"value": v, "count": n} for v, n in counts] for name, counts in results.facets.items()},
        "suggestion": results.suggestion,
        "reference_query": results.reference_query,
    }


@main.command("cite")
@click.argument("key")
@click.option("--page", type=click.IntRange(min=1), help="Cite this page (its Bates number is in the citation).")
@click.option("--format", "fmt", type=click.Choice(["text", "csl-json", "bibtex", "ris"]), default="text",
              show_default=True, help="The citation as a line to paste, or for a reference manager.")
@click.pass_context
@translate_errors
def cite_command(ctx: click.Context, key: str, page: int | None, fmt: str) -> None:
    """Cite one document (by id, control number or SHA-256), or one of its pages: the same citation as its web
    page gives, with its control number, hash and permalink on ARCHIVE_PUBLIC_URL (which must be set)."""
    from archive import cite
    from archive.errors import PublicUrlNeededError
    from archive.store import Archive

    settings = settings_of(ctx)
    if not settings.public_url:
        raise PublicUrlNeededError()
    with Archive(settings, create=False) as archive:
        document = archive.get_document(key)
    if page is not None and page > document.page_count:  # never the whole document's citation in its place
        raise click.BadParameter(f"{document.control_number} has pages 1 to {document.page_count}, not {page}",
                                 param_hint="--page")
    citation = cite.citation_for(document, permalink=cite.permalink_on(settings.public_url, document, page),
                                 page=page)
    with printing():
        if fmt == "text":
            click.echo(cite.format_text(citation))
            return
        _echo_file(cite.write([citation], fmt))


@main.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@click.option("--text", "with_text", is_flag=True, help="Also print the text, page by page.")
@click.pass_context
@translate_errors
def show(ctx: click.Context, key: str, as_json: bool, with_text: bool) -> None:
    """Show one document by id, control number or SHA-256."""
    from archive.service import document_as_dict
    from archive.store import Archive

    with Archive(settings_of(ctx), create=False) as archive:
        data = document_as_dict(archive, archive.get_document(key), with_text=with_text or as_json)
    with printing():
        _echo_document(data, as_json=as_json, with_text=with_text)


def _echo_document(data: dict[str, Any], *, as_json: bool, with_text: bool) -> None:
    if as_json:
        echo_json(data)
        return
    for name in ("control_number", "title", "type", "date", "issuer", "source", "languages", "places",
                 "access", "original_name", "media_type", "size", "page_count", "sha256", "id"):
        value = data[name]
        click.echo(as_terminal_text(f"{name:>15}: {', '.join(value) if isinstance(value, list) else value}"))
    if data["synthetic"]:  # as the web page says it: a generated test document is never to be taken for evidence
        click.echo(f"{'synthetic':>15}: yes: generated for testing, not evidence")
    for ref in data["references"]:
        click.echo(as_terminal_text(f"{'reference':>15}: {ref['id']} (p. {ref['page']}: {ref['text']})"))
    for page in data.get("pages", []) if with_text else []:
        click.echo(as_terminal_text(f"\n--- page {page['number']} ---\n{page['text']}"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--debug", is_flag=True, help="Flask's development server with reloading.")
@click.option("--trusted-proxy", metavar="ADDRESS",
              help="A reverse proxy terminating HTTPS at this address: its X-Forwarded-Proto and -For headers are "
                   "believed, so session cookies are Secure and login limits see the client's address.")
@click.pass_context
@translate_errors
def serve(ctx: click.Context, host: str, port: int, debug: bool, trusted_proxy: str | None) -> None:
    """Serve the web app (waitress; --debug for Flask's server)."""
    from webapp import create_app

    settings = settings_of(ctx)
    app = create_app({"ARCHIVE_SETTINGS": settings})
    click.echo(f"Serving {settings.home} on http://{host}:{port}/", err=True)
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    import waitress

    proxy: dict[str, Any] = {}
    if trusted_proxy:
        proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": "x-forwarded-proto x-forwarded-for",
                 "clear_untrusted_proxy_headers": True}
    waitress.serve(app, host=host, port=port, threads=8, **proxy)


def _index_problem(settings: Settings) -> str | None:
    """Why the search index cannot be used as it is (missing or damaged, built by another version or with other
    places), or ``None`` when it can."""
    from archive.errors import GazetteerChangedError, IndexDamagedError, IndexOutOfDateError
    from archive.service import open_archive_index
    from archive.store import Archive

    try:
        with Archive(settings, create=False) as archive, open_archive_index(settings, archive) as search_index:
            search_index.check_readable()
    except (GazetteerChangedError, IndexDamagedError, IndexOutOfDateError) as problem:
        return str(problem)
    return None


@main.command()
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--if-stale", is_flag=True,
              help="Rebuild only an index that cannot be used as it is: missing or damaged, or built by another "
                   "version or with other places.")
@click.pass_context
@translate_errors
def reindex(ctx: click.Context, quiet: bool, if_stale: bool) -> None:
    """Rebuild the search index from the catalog.

    Searches go on with the index in use until the rebuilt one takes its place. Ctrl-C (exit status 130) or
    SIGTERM (143) stop the rebuild and leave that index in use, whole.
    """
    from tqdm import tqdm

    from archive.ingest import apply_access_changes
    from archive.store import Archive
    from index import open_index, rebuild

    settings = settings_of(ctx)
    if if_stale and (problem := _index_problem(settings)) is None:
        click.echo("the search index is up to date: nothing to rebuild")
        return
    if if_stale and not quiet:
        click.echo(f"rebuilding the search index: {problem}", err=True)
    with _stopped_by_sigterm():
        try:
            with Archive(settings, create=False) as archive, archive.writer_lock():  # no ingest meanwhile
                total = archive.count_documents()
                with tqdm(total=total, unit="doc", disable=quiet, file=sys.stderr) as bar:
                    count = rebuild(archive, batch=settings.index_batch, progress=bar.update)
                with open_index(settings.index_dir, gazetteer=settings.gazetteer) as search_index:
                    changed = apply_access_changes(archive, search_index)  # those made while it was rebuilding
        except KeyboardInterrupt as interruption:
            terminated = isinstance(interruption, Terminated)
            click.echo(f"reindex stopped by {'SIGTERM' if terminated else 'Ctrl-C'}: searches go on with the index "
                       "in use, whole; run `evidence reindex` again to rebuild it", err=True)
            ctx.exit(TERMINATED if terminated else INTERRUPTED)
    again = f", {changed} of them again for a new access level" if changed else ""
    click.echo(f"indexed {counted(count, 'document')}{again}")


@main.command()
@click.option("--jsonl", is_flag=True, required=True, help="Read one text a line, write one JSON object a line.")
@translate_errors
def refs(jsonl: bool) -> None:
    """Find treaty references in text read from standard input."""
    from archive.treaties import refs_record

    stdout = sys.stdout.buffer
    for raw in sys.stdin.buffer:  # bytes, so the encoding is UTF-8 whatever the locale says
        text = raw.decode("utf-8", errors="replace").removesuffix("\n").removesuffix("\r")
        with printing():
            stdout.write(json.dumps(refs_record(text), ensure_ascii=False).encode("utf-8") + b"\n")
    with printing():
        stdout.flush()


def _expected_head(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[tuple[int, str]]:
    heads = []
    for value in values:
        seq, _, digest = value.partition(":")
        hex_digits = all(c in "0123456789abcdefABCDEF" for c in digest)
        if not (seq.isascii() and seq.isdigit() and len(digest) == 64 and hex_digits):
            raise click.BadParameter(f"{value!r} is not EVENT:SHA256 as `evidence verify` prints it")
        heads.append((int(seq), digest.lower()))
    return heads


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--expect", "expect", multiple=True, callback=_expected_head, metavar="EVENT:SHA256",
              help="A head printed by an earlier run and kept outside the archive; repeatable.")
@click.pass_context
@translate_errors
def verify(ctx: click.Context, as_json: bool, quiet: bool, expect: list[tuple[int, str]]) -> None:
    """Re-hash every original and check the custody chain; exit 1 on any mismatch.

    It prints the chain's head (EVENT:SHA256). Keep it outside the archive (print it, file it, send it
    to the other party): `--expect EVENT:SHA256` later proves that no event up to it was removed or
    rewritten, which a chain checked only against itself cannot show.
    """
    from tqdm import tqdm

    from archive.store import Archive
    from archive.verify import verify as run_verify

    with Archive(settings_of(ctx), readonly=True) as archive:
        total = archive.count_documents()
        with tqdm(total=total, unit="doc", disable=quiet or as_json, file=sys.stderr) as bar:
            report = run_verify(archive, progress=bar.update, expect=expect)
    head = f"{report.head_seq}:{report.head_hash}"
    with printing():
        _echo_verified(report, head, as_json=as_json, expected=bool(expect))
    if not report.ok:
        ctx.exit(1)


def _echo_verified(report: Any, head: str, *, as_json: bool, expected: bool) -> None:
    if as_json:
        echo_json({"ok": report.ok, "documents": report.documents, "events": report.events, "head": head,
                   "problems": [vars(p) for p in report.problems]})
    else:
        for problem in report.problems:
            click.echo(as_terminal_text(f"{problem.kind}: {problem.message}"), err=True)
        state = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        click.echo(f"{report.documents} originals and {report.events} custody events checked: {state}")
        click.echo(f"custody head: {head}")
        if report.ok and not expected:
            click.echo("keep the head outside the archive; `evidence verify --expect HEAD` later proves "
                       "no event up to it was removed or rewritten", err=True)
        if not report.ok:
            click.echo("write nothing to this archive until this is explained: keep a copy of the home as it "
                       "is (cp -a), compare it with your last backup and the heads kept outside the archive, "
                       "and restore what differs from the backup", err=True)


# -- accounts and access ----------------------------------------------------------------------------

ROLE_CHOICE = click.Choice(["reader", "investigator", "admin"])


@main.group()
def users() -> None:
    """Accounts of the web app and API: reader (public), investigator (+ restricted), admin (everything)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, required=True, help="What the user may see and do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_context
@translate_errors
def users_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add a user (asks for the password twice unless --password-stdin)."""
    from archive.accounts import add_user
    from archive.store import Archive

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with Archive(settings_of(ctx)) as archive:
        user = add_user(archive, name, role, password)
    click.echo(f"added {user.name} ({user.role})")


@users.command("remove")
@click.argument("name")
@click.pass_context
@translate_errors
def users_remove(ctx: click.Context, name: str) -> None:
    """Disable a user and revoke its API tokens (`users add` brings it back with a new password)."""
    from archive.accounts import remove_user
    from archive.store import Archive

    with Archive(settings_of(ctx), create=False) as archive:
        remove_user(archive, name)
    click.echo(f"removed {name}; its sessions and API tokens no longer work")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
@click.pass_context
@translate_errors
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List the users (never their password hashes)."""
    from archive.accounts import list_users
    from archive.store import Archive

    with Archive(settings_of(ctx), create=False) as archive:  # a mistyped --home is an error, not a new archive
        found = list_users(archive)
    with printing():
        if as_json:
            echo_json([{"name": u.name, "role": u.role, "created": u.created, "disabled": u.disabled}
                       for u in found])
            return
        for user in found:
            click.echo(f"{user.name:<24} {user.role:<13} {user.created[:19]}{'  (removed)' if user.disabled else ''}")


@main.group()
def tokens() -> None:
    """API tokens, sent as 'Authorization: Bearer TOKEN'; they see what their user sees."""


@tokens.command("create")
@click.argument("user")
@click.option("--label", default="", help="What the token is for, e.g. 'court export script'.")
@click.pass_context
@translate_errors
def tokens_create(ctx: click.Context, user: str, label: str) -> None:
    """Create a token for USER and print its secret, which is shown this once only."""
    from archive.accounts import create_token
    from archive.store import Archive

    with Archive(settings_of(ctx), create=False) as archive:
        token, secret = create_token(archive, user, label)
    click.echo(f"token {token.id} for {token.user}; keep this secret, it is not shown again:", err=True)
    click.echo(secret)


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_context
@translate_errors
def tokens_revoke(ctx: click.Context, token_id: str) -> None:
    """Revoke a token by its id (see `evidence tokens list`)."""
    from archive.accounts import revoke_token
    from archive.store import Archive

    with Archive(settings_of(ctx), create=False) as archive:
        token = revoke_token(archive, token_id)
    click.echo(f"revoked token {token.id} of {token.user}")


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as JSON.")
@click.pass_context
@translate_errors
def tokens_list(ctx: click.Context, as_json: bool) -> None:
    """List tokens: id, user, label, created, last used, revoked (never the secrets)."""
    from archive.accounts import list_tokens
    from archive.store import Archive

    with Archive(settings_of(ctx), create=False) as archive:  # a mistyped --home is an error, not a new archive
        found = list_tokens(archive)
    with printing():
        if as_json:
            echo_json([t.as_dict() for t in found])
            return
        for token in found:
            used = (token.last_used or "never")[:19]
            state = f"revoked {token.revoked[:19]}" if token.revoked else f"last used {used}"
            click.echo(f"{token.id}  {token.user:<24} {token.label or '-':<24} {token.created[:19]}  {state}")


@main.command()
@click.argument("key")
@click.argument("level", type=click.Choice(["public", "restricted", "confidential"]))
@click.pass_context
@translate_errors
def access(ctx: click.Context, key: str, level: str) -> None:
    """Set the access level of document KEY, record it in custody, and re-index the document."""
    from archive.accounts import change_access
    from archive.store import Archive

    settings = settings_of(ctx)
    with Archive(settings, create=False) as archive, _index_to_follow(settings, archive) as search_index:
        change = change_access(archive, search_index, key, level, actor=settings.actor)
    number = change.document.control_number
    click.echo(f"{number}: {change.before} → {level}" if change.changed else f"{number} is already {level}")
    if change.pending:
        click.echo(change.pending, err=True)


@contextlib.contextmanager
def _index_to_follow(settings: Settings, archive: Any) -> Iterator[Any]:
    """The index an access change is to reach, or, when it is damaged past opening (its folder gone), a stand-in
    that says so when the change reaches for it: the change is recorded and in force either way."""
    from archive.errors import IndexDamagedError
    from archive.service import open_archive_index

    try:
        search_index = open_archive_index(settings, archive)
    except IndexDamagedError as error:
        yield _DamagedIndex(error)
        return
    with search_index:
        yield search_index


@dataclass(frozen=True)
class _DamagedIndex:
    """An index that could not be opened, standing in for it: checking it raises why."""

    error: ArchiveError

    def check_readable(self) -> None:
        raise self.error
