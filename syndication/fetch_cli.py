"""``syndication fetch wordpress|pages``: pull articles from the site itself.

Quiet on success under cron; a one-line progress display on a terminal.
Exit codes: 0 done, 2 usage or config error, 65 some records (posts, entries,
pages) were rejected (the rest went in), 75 the source is unreachable after
retries or the run's time limit is spent (``fetch wordpress``: the store is
exactly as it was; ``fetch pages``: the pages read before are kept)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import click

from . import config as config_mod
from .cli import Ctx, _common
from .errors import EXIT_DATAERR, EXIT_OK, UsageError
from .records import parse_date
from .sources import pages as pages_source
from .sources import wordpress as wp_source
from .store import Store


@click.group("fetch", context_settings={"help_option_names": ["-h", "--help"]})
@_common
@click.pass_context
def fetch_group(ctx: click.Context) -> None:
    """Fetch articles from the site: its WordPress REST API, or its pages."""
    ctx.ensure_object(Ctx)


def _deadline(sources, seconds: float | None):
    """[http] deadline, or --deadline for this run (a first fetch of a large site)."""
    if seconds is None:
        return sources
    return replace(sources, http=replace(sources.http, deadline=seconds))


_DEADLINE = click.option("--deadline", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                         help="This run's time limit instead of [http] deadline (e.g. 900 for the first fetch "
                              "of a large site).")


def _progress(obj: Ctx):
    return wp_source.tty_progress() if obj.verbosity >= 0 else None


def _end(obj: Ctx, line: str, rejected: list[str], progress) -> None:
    if progress is not None:
        click.echo("", err=True)  # end the progress line
    obj.info(line)
    sys.exit(EXIT_DATAERR if rejected else EXIT_OK)


@fetch_group.command("wordpress")
@click.argument("base_url", metavar="BASE_URL")
@click.option("--since", metavar="ISO8601",
              help="Fetch what changed since then (default: since the last good run; the first run fetches everything).")
@click.option("--full", is_flag=True,
              help="Fetch every published post, and withdraw stored articles the site no longer shows.")
@_DEADLINE
@_common
@click.pass_obj
def wordpress_cmd(obj: Ctx, base_url: str, since: str | None, full: bool, deadline: float | None) -> None:
    """Fetch posts from a WordPress site's REST API (BASE_URL: https://ms-news.ru).

    An application password, if the site needs one, comes from
    $SYNDICATION_WP_USER and $SYNDICATION_WP_APP_PASSWORD or sources.toml,
    never from the command line."""
    config = obj.config()
    sources = _deadline(config_mod.load_sources(config), deadline)
    tz = ZoneInfo(config.site.timezone)
    since_dt = None
    if since is not None:
        if full:
            raise UsageError("--since and --full: choose one")
        try:
            since_dt = parse_date(since, tz)
        except ValueError as exc:
            raise UsageError(f"--since: {exc}") from None
    base = wp_source.base_of(base_url)
    progress = _progress(obj)
    with Store(obj.store_path()) as store:
        report = wp_source.fetch(config, sources, store, base, now=datetime.now(timezone.utc), since=since_dt,
                                 full=full, say=obj.err, progress=progress)
    _end(obj, f"fetch wordpress: {report.listed} posts listed; {report.written} written, {report.unchanged} unchanged, "
              f"{report.withdrawn} withdrawn, {len(report.rejected)} rejected; {report.requests} requests, "
              f"{report.seconds:.2f}s", report.rejected, progress)


@fetch_group.command("pages")
@click.argument("urls", metavar="URL...", nargs=-1)
@click.option("--sitemap", metavar="URL", help="Read the article URLs from this sitemap (or sitemap index).")
@_DEADLINE
@_common
@click.pass_obj
def pages_cmd(obj: Ctx, urls: tuple[str, ...], sitemap: str | None, deadline: float | None) -> None:
    """Fetch articles from their pages: JSON-LD first, then OpenGraph and
    article:* meta, then the theme's markup.

    Each URL stands alone: one that fails is named and skipped (exit 65).
    Exit 75 when the site as a whole cannot be reached (its sitemap or
    robots.txt unreadable, 3 URLs in a row without an answer, or the run's
    time spent): the pages read before are kept, and a sitemap crawl goes
    on from there next time."""
    if bool(urls) == bool(sitemap):
        raise UsageError("give article URLs or --sitemap URL (one of them)")
    config = obj.config()
    sources = _deadline(config_mod.load_sources(config), deadline)
    progress = _progress(obj)
    with Store(obj.store_path()) as store:
        report = pages_source.fetch(config, sources, store, list(urls), sitemap=sitemap,
                                    now=datetime.now(timezone.utc), say=obj.err, progress=progress)
    _end(obj, f"fetch pages: {report.listed} pages; {report.written} written, {report.unchanged} unchanged, "
              f"{len(report.rejected)} rejected; {report.requests} requests, {report.seconds:.2f}s",
         report.rejected, progress)
