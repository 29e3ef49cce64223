"""Commands for people and for cron.

Quiet on success (nothing printed unless -v); problems on stderr, one line
each, naming the record and field. Exit codes: 0 ok, 1 a feed failed its
check, 2 usage or config error, 65 some records rejected (the rest done),
75 the lock is held (or a source is unreachable)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from . import config as config_mod
from . import pipeline
from . import sample as sample_data
from .errors import EXIT_DATAERR, EXIT_FEED_FAILED, EXIT_OK, LockHeldError, SyndicationError, UsageError
from .pglock import DEFAULT_WAIT, POLL
from .records import parse_date
from .store import Store, is_url
from .types import Config

DEFAULT_STORE = "syndication.sqlite3"


class Ctx:
    def __init__(self) -> None:
        self.config_dir: str | None = None
        self.store: str | None = None
        self.verbosity = 0
        #: --out s3://bucket/prefix: the build goes to a local staging directory, then to the bucket
        self.s3: str | None = None
        self._config: Config | None = None

    def config(self) -> Config:
        """--config, else $SYNDICATION_CONFIG, else ./config, else the embedded defaults."""
        if self._config is None:
            chosen = self.config_dir or os.environ.get("SYNDICATION_CONFIG")
            if chosen is None and Path("config").is_dir():
                chosen = "config"
            config = config_mod.load(chosen)
            config_mod.load_partners(config)  # its errors too before anything is written (exit 2)
            self._config = config
        return self._config

    def store_path(self) -> str:
        """--store, else $SYNDICATION_STORE, else [deploy] store in the config,
        else ./syndication.sqlite3: a SQLite file or a postgresql:// URL
        (store.py opens either)."""
        return (self.store or os.environ.get("SYNDICATION_STORE") or self.config().deploy.store
                or DEFAULT_STORE)

    def lock(self, out_dir: Path, wait: float | None):
        """The build lock: with a PostgreSQL store an advisory lock in its
        server (two hosts, one publisher: pglock.py), else the flock in the
        out directory. ``wait``: seconds to wait for it (None: do not wait, exit 75)."""
        if is_url(self.store_path()):
            from .pglock import AdvisoryLock

            return AdvisoryLock(self.store_path(), self.s3 or str(out_dir.resolve()), wait=wait is not None,
                                timeout=wait or 0)
        return _file_lock(out_dir, wait)

    def publish_s3(self, out_dir: Path, config: Config, endpoint_url: str | None, lock) -> None:
        """With --out s3://…: publish the staging directory's build to the
        bucket (objectstore.py: only the objects whose bytes changed; none
        when nothing did), still holding the build lock."""
        if self.s3 is None:
            return
        from .directory import FEEDS_HTML
        from .objectstore import ObjectTarget, publish_directory

        if hasattr(lock, "still_held") and not lock.still_held():
            raise LockHeldError(f"{self.s3}: the build lock was lost (its PostgreSQL session ended); "
                                "nothing published, the next run converges")
        target = ObjectTarget.from_url(self.s3, endpoint_url=endpoint_url or _config_endpoint(config),
                                       state_url=config.deploy.state_url, last=(config.opml_path, FEEDS_HTML))
        report = publish_directory(out_dir, target)
        self.info(f"{self.s3}: {len(report.uploaded)} objects uploaded, {len(report.deleted)} deleted, "
                  f"{len(report.unchanged)} unchanged")

    def err(self, line: str) -> None:
        if self.verbosity >= 0:
            click.echo(line, err=True)

    def info(self, line: str) -> None:
        if self.verbosity > 0:
            click.echo(line, err=True)


def _config_endpoint(config: Config) -> str | None:
    """[deploy] endpoint_url, unless boto3's own $AWS_ENDPOINT_URL says
    (the environment over a file, as for the store)."""
    return None if os.environ.get("AWS_ENDPOINT_URL") else config.deploy.endpoint_url


def _stage_dir(url: str) -> Path:
    """Where a build for s3://bucket/prefix is made before it is published:
    $XDG_CACHE_HOME (or ~/.cache)/syndication/s3/bucket/prefix. It holds the
    build's state (what each file was built from), outside the bucket."""
    from .objectstore import S3Location

    loc = S3Location.parse(url)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "syndication" / "s3" / loc.bucket / (loc.key or "_root")


def _out_option(help_text: str):
    """--out DIR or s3://bucket/prefix (build and run)."""

    def convert(ctx, _param, value):
        if value is None:
            return None
        if value.startswith("s3://"):
            ctx.find_object(Ctx).s3 = value
            return _stage_dir(value)
        if Path(value).is_file():
            raise click.BadParameter(f"{value!r} is a file", ctx=ctx, param=_param)
        return Path(value)

    return click.option("--out", "out_dir", required=True, metavar="DIR|s3://BUCKET/PREFIX", callback=convert,
                        help=help_text)


_ENDPOINT = click.option("--endpoint-url", metavar="URL",
                         help="The S3-compatible endpoint for --out s3://… (default: $AWS_ENDPOINT_URL, "
                              "then [deploy] endpoint_url in site.toml, then boto3's own).")


@contextmanager
def _file_lock(out_dir: Path, wait: float | None):
    """publish.Lock, tried once a second for ``wait`` seconds."""
    from . import publish

    deadline = time.monotonic() + (wait or 0)
    while True:
        lock = publish.Lock(out_dir)
        try:
            lock.__enter__()
            break
        except LockHeldError as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if wait is not None:
                    raise LockHeldError(f"{exc.message} after waiting {wait:g} s") from None
                raise
            time.sleep(min(POLL, remaining))
    try:
        yield lock
    finally:
        lock.__exit__(None, None, None)


_WAIT = click.option("--wait", type=click.FloatRange(min=0), is_flag=False, flag_value=DEFAULT_WAIT, default=None,
                     metavar="[SECONDS]",
                     help=f"If another build holds the lock, wait for it ({DEFAULT_WAIT:g} s, or SECONDS) instead of exiting 75.")


def _common(f):
    """--config/--store/-v/-q, accepted before or after the command name."""

    def set_config(ctx, _param, value):
        if value is not None:
            ctx.find_object(Ctx).config_dir = value
        return value

    def set_store(ctx, _param, value):
        if value is not None:
            ctx.find_object(Ctx).store = value
        return value

    def set_verbose(ctx, _param, value):
        if value:
            ctx.find_object(Ctx).verbosity = value
        return value

    def set_quiet(ctx, _param, value):
        if value:
            ctx.find_object(Ctx).verbosity = -1
        return value

    f = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=set_quiet,
                     help="Print only errors that stop the command.")(f)
    f = click.option("-v", "--verbose", count=True, expose_value=False, callback=set_verbose,
                     help="Print a summary line (and more with -vv).")(f)
    f = click.option("--store", metavar="PATH|URL", expose_value=False, callback=set_store,
                     help=f"SQLite file or postgresql://user@host/db (default: $SYNDICATION_STORE or ./{DEFAULT_STORE}).")(f)
    f = click.option("--config", metavar="DIR", expose_value=False, callback=set_config,
                     help="Config directory (default: $SYNDICATION_CONFIG, ./config, or the embedded defaults).")(f)
    return f


class LazyGroup(click.Group):
    """Commands whose modules are imported only when they run: a cron build
    does not pay for requests, and the fetchers can import this module."""

    LAZY = {
        "fetch": ("syndication.fetch_cli", "fetch_group"),
        "validate": ("syndication.validate_cli", "validate_cmd"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            import importlib

            module, attr = self.LAZY[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@_common
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Publish Ms-News.Ru's articles as RSS 2.0 and Atom 1.0 feeds that carry
    the site's reprint condition."""
    ctx.ensure_object(Ctx)


@cli.command("import")
@click.argument("source", metavar="FILE|-", type=click.Path(allow_dash=True, dir_okay=False))
@_common
@click.pass_obj
def import_cmd(obj: Ctx, source: str) -> None:
    """Check, clean and store articles from a JSON Lines file (- for stdin).

    A bad record is reported as `ID: FIELD: reason` and skipped (exit 65);
    every other record still goes in. Importing the same records again
    changes nothing."""
    config = obj.config()
    with Store(obj.store_path()) as store:
        if source == "-":
            report = pipeline.import_records(sys.stdin.buffer, config, store, obj.err)
        else:
            try:
                fh = open(source, "rb", buffering=1 << 16)  # records are ~10 KB: one read each, not two
            except OSError as exc:
                raise UsageError(f"{source}: cannot open: {exc.strerror}") from None
            with fh:
                report = pipeline.import_records(fh, config, store, obj.err)
    obj.info(f"import: {report.imported} written, {report.unchanged} unchanged, {len(report.rejected)} rejected")
    sys.exit(EXIT_DATAERR if report.rejected else EXIT_OK)


@cli.command("export")
@click.option("--section", "sections", multiple=True, metavar="SLUG",
              help="Only these sections (and their descendants); repeatable.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write here instead of stdout.")
@_common
@click.pass_obj
def export_cmd(obj: Ctx, sections: tuple[str, ...], output: str) -> None:
    """Write the store as JSON Lines, sorted by id (round-trips with import)."""
    config = obj.config()
    wanted = None
    if sections:
        unknown = [s for s in sections if s not in config.section_slugs]
        if unknown:
            raise UsageError(f"--section {unknown[0]}: unknown section (declared: {', '.join(sorted(config.section_slugs))})")
        wanted = set().union(*(config_mod.descendants(s, config.sections) for s in sections))
    with Store(obj.store_path(), create=False) as store:
        out = click.open_file(output, "w", encoding="utf-8")
        n = 0
        with out:
            for _rid, line in store.records(wanted):
                out.write(line + "\n")
                n += 1
    obj.info(f"export: {n} records")


@cli.command("build")
@_out_option("Directory the feeds are published in, or s3://bucket/prefix (built in a local staging "
             "directory, then only the changed objects uploaded).")
@click.option("--sample", is_flag=True,
              help="Build from the bundled sample articles (in a temporary store unless --store is given).")
@click.option("--now", metavar="ISO8601",
              help="The time to build as of (default: the clock). Same store + same --now = same bytes.")
@click.option("--dry-run", is_flag=True,
              help="Plan only: list every file the build would build, keep or remove; write nothing.")
@_WAIT
@_ENDPOINT
@_common
@click.pass_obj
def build_cmd(obj: Ctx, out_dir: Path, sample: bool, now: str | None, dry_run: bool, wait: float | None,
              endpoint_url: str | None) -> None:
    """Build, check and publish every section's feeds, their archive pages,
    the partner feeds and feeds.opml.

    A feed that fails its check is not published (the last good file stays;
    exit 1). Files whose inputs did not change are not built again."""
    _build(obj, out_dir, sample, now, dry_run, wait, endpoint_url)


@cli.command("run")
@_out_option("Directory the feeds are published in, or s3://bucket/prefix.")
@click.option("--now", metavar="ISO8601", help="Build as of this time (default: the clock).")
@click.option("--no-fetch", is_flag=True, help="Build from the store as it is, without fetching.")
@_WAIT
@_ENDPOINT
@_common
@click.pass_obj
def run_cmd(obj: Ctx, out_dir: Path, now: str | None, no_fetch: bool, wait: float | None,
            endpoint_url: str | None) -> None:
    """The one command for cron: fetch → build → check → publish → ping hubs,
    under one lock.

    Fetches from the WordPress site named in sources.toml ([wordpress] url),
    only what changed since the last run. A fetch that cannot reach the site
    (exit 75) leaves the store and the published files as they were. Quiet on
    success; -v prints one summary line."""
    from .notify import ping_hubs, ping_indexnow

    started = time.perf_counter()
    config = obj.config()
    clock = _now(now, config)
    rejected: list[str] = []
    fetched = "no fetch"
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = config_mod.load_sources(config)
    fetching = bool(sources.wordpress.url) and not no_fetch
    # the store first: a missing one is refused (exit 2) before its server is asked for the lock
    with Store(obj.store_path(), create=fetching) as store, obj.lock(out_dir, wait) as lock:
        if fetching:
            from .sources import wordpress as wp_source

            fr = wp_source.fetch(config, sources, store, sources.wordpress.url, now=datetime.now(timezone.utc),
                                 say=obj.err)
            rejected = fr.rejected
            fetched = f"fetch {fr.written} written, {len(fr.rejected)} rejected, {fr.requests} requests"
        report = pipeline.build(config, store, out_dir, clock, obj.err, locked=True)
        obj.publish_s3(out_dir, config, endpoint_url, lock)
        by_path = {spec.path: spec.self_url for spec in config.feeds}
        changed = [by_path[p] for p in report.written if p in by_path]
        pings = ping_hubs(config.site.hubs, changed, deadline_s=config.site.hub_timeout)
        for p in pings:
            if not p.ok:
                obj.err(f"hub {p.hub}: ping for {p.url} failed: {p.detail} (the build stands)")
        if pings:
            pipeline.record_pings(out_dir, pings, {url: path for path, url in by_path.items()})
        indexnow = []
        if config.site.indexnow_key and report.changed_urls:
            indexnow = ping_indexnow(config.site.indexnow_endpoint, config.site.indexnow_key, config.site.url,
                                     report.changed_urls, deadline_s=config.site.hub_timeout)
            for p in indexnow:
                if not p.ok:
                    obj.err(f"IndexNow {p.hub}: {p.url} not sent: {p.detail} (the build stands)")
    obj.info(f"run: {fetched}; {report.feeds_written} files written, {report.feeds_unchanged} unchanged, "
             f"{len(report.feeds_failed)} failed; {sum(p.ok for p in pings)}/{len(pings)} hub pings; "
             f"{sum(p.ok for p in indexnow)}/{len(indexnow)} IndexNow posts ({len(report.changed_urls)} URLs); "
             f"{time.perf_counter() - started:.2f}s")
    _dropped(obj, report)
    if report.feeds_failed:
        sys.exit(EXIT_FEED_FAILED)
    sys.exit(EXIT_DATAERR if rejected else EXIT_OK)


def _dropped(obj: Ctx, report) -> None:
    """What partner feeds left out (their rules, not errors): -v lists the
    items a profile could not take, -vv also what its budgets left out."""
    if obj.verbosity >= 1:
        for line in report.left_out:
            click.echo(f"left out: {line}", err=True)
    if obj.verbosity >= 2:
        for line in report.dropped:
            click.echo(f"left out: {line}", err=True)


def _now(text: str | None, config: Config) -> datetime:
    if text is None:
        return datetime.now(timezone.utc)
    try:
        return parse_date(text, ZoneInfo(config.site.timezone))
    except ValueError as exc:
        raise UsageError(f"--now: {exc}") from None


def _build(obj: Ctx, out_dir: Path, use_sample: bool, now_text: str | None, dry_run: bool = False,
           wait: float | None = None, endpoint_url: str | None = None) -> None:
    started = time.perf_counter()
    config = obj.config()
    now = _now(now_text, config)
    rejected: list[str] = []
    with tempfile.TemporaryDirectory(prefix="syndication-") as tmp:
        store_path = obj.store_path() if (obj.store or not use_sample) else os.path.join(tmp, "sample.sqlite3")
        lock = nullcontext() if dry_run else (obj.lock(out_dir, wait) if store_path == obj.store_path()
                                              else _file_lock(out_dir, wait))
        with Store(store_path, create=use_sample) as store, lock as held:
            if use_sample:
                with sample_data.path().open("rb") as fh:
                    rejected = pipeline.import_records(fh, config, store, obj.err).rejected
            report = pipeline.build(config, store, out_dir, now, click.echo if dry_run else obj.err,
                                    dry_run=dry_run, locked=not dry_run)
            if not dry_run:
                obj.publish_s3(out_dir, config, endpoint_url, held)
    took = time.perf_counter() - started
    if dry_run:
        obj.info(f"build --dry-run: {len(report.written)} files to build, {report.feeds_unchanged} unchanged, "
                 f"{len(report.removed)} to remove; {took:.2f}s")
        sys.exit(EXIT_OK)
    obj.info(f"build: {len(config.feeds)} feeds, {report.items} items; {report.feeds_written} files written, "
             f"{report.feeds_unchanged} unchanged, {len(report.feeds_failed)} failed; {took:.2f}s")
    _dropped(obj, report)
    if report.feeds_failed:
        sys.exit(EXIT_FEED_FAILED)
    sys.exit(EXIT_DATAERR if rejected else EXIT_OK)


@cli.command("status")
@_out_option("The directory build publishes to (for s3://bucket/prefix: its staging directory).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--now", metavar="ISO8601", help="Measure ages as of this time (default: the clock).")
@_common
@click.pass_obj
def status_cmd(obj: Ctx, out_dir: Path, fmt: str, now: str | None) -> None:
    """For every feed: items, bytes, newest item's age, last build, last
    check problems, and — when the store is there — whether the next build
    would build it again (the build's own plan; nothing is written). Exit 1
    when a feed is missing or its last build failed."""
    import json

    from . import publish

    config = obj.config()
    clock = _now(now, config)
    state = pipeline.read_state(out_dir)
    pending: dict[str, bool] = {}
    try:
        store = Store(obj.store_path(), create=False)
    except UsageError:  # no store (yet): the files alone
        store = None
    if store is not None:
        with store, store.rolled_back():
            pipeline.page(config, store, clock)
            target = publish.Directory(out_dir)
            pending = {doc.path: not target.unchanged(doc.path, doc.inputs, state)
                       for doc in pipeline.plan(config, store, clock).docs}
    rows = []
    partner_paths = [p.path for p in config_mod.load_partners(config)]
    for path in [spec.path for spec in config.feeds] + partner_paths + [config.opml_path]:
        entry = state.get(path, {})
        newest = entry.get("newest")
        age = None
        if newest:
            age = int((clock - datetime.fromisoformat(newest)).total_seconds())
        rows.append({
            "path": path, "exists": (out_dir / path).is_file(), "items": entry.get("items"),
            "bytes": entry.get("bytes"), "newest": newest, "newest_age_s": age, "built": entry.get("built"),
            "warnings": entry.get("warnings", []), "failed": entry.get("failed"), "pings": entry.get("pings", {}),
            "left_out": entry.get("left_out", []), "to_build": pending.get(path),
        })
    bad = [r for r in rows if not r["exists"] or r["failed"]]
    pages = [p for p in pending if "archive" in p.split("/")]
    plan = {"files": len(pending), "to_build": sum(pending.values()), "archive_pages": len(pages),
            "archive_pages_to_build": sum(pending[p] for p in pages)} if pending else None
    if fmt == "json":
        click.echo(json.dumps({"out": str(out_dir), "feeds": rows, "plan": plan, "ok": not bad}, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            flag = "FAILED" if r["failed"] else ("MISSING" if not r["exists"] else "ok")
            age = "-" if r["newest_age_s"] is None else f"{r['newest_age_s'] / 3600:.1f}h"
            click.echo(f"{flag:<7} {r['path']:<36} {r['items'] if r['items'] is not None else '-':>4} items "
                       f"{r['bytes'] or 0:>9} B  newest {age:>8} ago  built {r['built'] or '-'}"
                       + (f"  ({len(r['warnings'])} warnings)" if r["warnings"] else "")
                       + (f"  ({len(r['left_out'])} left out)" if r["left_out"] else "")
                       + ("  (to build)" if r["to_build"] else "")
                       + "".join(f"  hub {'ok' if p['ok'] else 'FAILED ' + p['detail']} {p['at']}" for p in r["pings"].values()))
            if r["failed"]:
                for problem in r["failed"]["problems"]:
                    click.echo(f"        {problem}")
            for line in r["left_out"]:
                click.echo(f"        left out: {line}")
        if plan:
            click.echo(f"next build: {plan['to_build']} of {plan['files']} files to build; archive pages: "
                       f"{plan['archive_pages_to_build']} of {plan['archive_pages']} to build")
    sys.exit(EXIT_FEED_FAILED if bad else EXIT_OK)


@cli.command("serve")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The directory to serve (what build publishes).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--max-age", default=300, show_default=True, type=click.IntRange(0),
              help="Cache-Control max-age, seconds.")
@_common
@click.pass_obj
def serve_cmd(obj: Ctx, out_dir: Path, host: str, port: int, max_age: int) -> None:
    """Serve the published feeds over HTTP with ETag, Last-Modified, 304 and gzip."""
    from .serve import make_server

    try:
        server = make_server(out_dir, host, port, max_age)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    obj.info(f"serving {out_dir} on http://{host}:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    """Entry point: our errors become one line on stderr and their exit code."""
    try:
        cli.main(args=argv, prog_name="syndication", standalone_mode=False, obj=Ctx())
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except SyndicationError as exc:
        click.echo(f"syndication: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_OK)
