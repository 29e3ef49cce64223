"""`syndication validate`: the validator as a tool, for our feeds and others'.

    syndication validate [--format text|json] [--base URL] [--profile NAME] FILE|URL...
    syndication validate --rules

Text lines for people (``file:line: level code: message [spec]``, then a
``file: verdict …`` line for a file with problems), or one JSON object per
file with its verdict. Exit 0 when no file has an error, 1 when one does, 2
on a usage problem. Files are read, and URLs fetched, with a size cap before
anything is parsed; each file gets its own verdict whatever another holds.
``--rules`` prints every problem code with its level and clause."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import click

from . import config as config_mod
from . import validate
from .errors import SyndicationError
from .types import Problem, Site

#: Largest feed read or fetched (bytes).
LIMIT = validate.MAX_BYTES
AUTO = "auto"


@dataclass
class Result:
    """One file's verdict."""

    file: str
    format: str = "unknown"
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def verdict(self) -> str:
        return "error" if self.errors else "warning" if self.problems else "ok"

    def as_json(self) -> dict[str, object]:
        def one(p: Problem) -> dict[str, object]:
            return {"code": p.code, "message": p.message, "line": p.line, "spec": p.spec}
        shown = self._within_budget(lambda p: len(json.dumps(one(p), ensure_ascii=False)) + 2)
        report: dict[str, object] = {"file": self.file, "format": self.format, "verdict": self.verdict,
                                     "errors": [one(p) for p in shown if p.level == "error"],
                                     "warnings": [one(p) for p in shown if p.level == "warning"]}
        if len(shown) < len(self.problems):
            report["omitted"] = len(self.problems) - len(shown)
        return report

    def _within_budget(self, size) -> list[Problem]:
        """The problems whose rendering fits in validate.MAX_OUTPUT bytes (the validator
        bounds them already; a long file name must not push one file past it)."""
        shown, used = [], 0
        for p in self.problems:
            used += size(p)
            if used > validate.MAX_OUTPUT:
                break
            shown.append(p)
        return shown

    def text_lines(self) -> list[str]:
        """One line per problem, then the file's verdict (nothing for a clean file)."""

        def line(p: Problem) -> str:
            where = f"{self.file}:{p.line}" if p.line else self.file
            ref = f" [{p.spec}]" if p.spec else ""
            return f"{where}: {p.level} {p.code}: {p.message}{ref}"

        shown = self._within_budget(lambda p: len(line(p).encode()) + 1)
        lines = [line(p) for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"{self.file}: {len(self.problems) - len(shown)} more problems not shown "
                         f"(at most {validate.MAX_OUTPUT // 1024} KB of output per file)")
        if self.problems:
            e, w = len(self.errors), len(self.warnings)
            lines.append(f"{self.file}: verdict {self.verdict} ({e} error{'s' * (e != 1)}, "
                         f"{w} warning{'s' * (w != 1)} listed)")
        return lines


class FetchError(Exception):
    """A URL or file could not be read within the limits; the message says why."""


def read_file(path: str, limit: int | None = None) -> bytes:
    """At most ``limit`` (default LIMIT) bytes of a file; FetchError if it is larger."""
    limit = LIMIT if limit is None else limit
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:  # a regular file says its size: refuse it before reading any of it
                raise FetchError(f"{size} bytes: larger than the limit of {limit} bytes")
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FetchError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise FetchError(f"larger than the limit of {limit} bytes")
    return data


def fetch_url(url: str, limit: int | None = None) -> bytes:
    """GET an http(s) URL through the one HTTP client (syndication/http.py:
    its User-Agent, timeouts, retries and bounds), capped at ``limit`` bytes
    (default LIMIT)."""
    from dataclasses import replace

    from . import http  # only when a URL is given: the CLI starts without requests
    from .errors import SourceUnavailable
    from .types import HttpLimits

    limit = LIMIT if limit is None else limit
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError("only http and https URLs are fetched")
    accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
    with http.Client(limits=replace(HttpLimits(), max_bytes=limit), robots=False) as client:
        try:
            return client.get(url, accept=accept).body
        except http.Refused as exc:
            raise FetchError(exc.reason) from None
        except SourceUnavailable as exc:
            raise FetchError(f"cannot fetch: {exc.message}") from None


def _is_url(source: str) -> bool:
    return "://" in source and urlsplit(source).scheme.isalpha()


def _site() -> Site:
    """The site's config: the CLI's --config if we run under it, else
    $SYNDICATION_CONFIG, ./config, or the embedded defaults."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if obj is not None and hasattr(obj, "config"):
        return obj.config().site
    chosen = os.environ.get("SYNDICATION_CONFIG")
    if chosen is None and Path("config").is_dir():
        chosen = "config"
    return config_mod.load(chosen).site


def _is_ours(data: bytes, self_url: str | None, source: str, site: Site) -> bool:
    """A feed is ours when it is (or says it is) published under our feeds URL."""
    ours = site.feeds_url.rstrip("/") + "/"
    if (self_url or "").startswith(ours) or source.startswith(ours):
        return True
    root, _ = validate.parse(data) if not data.lstrip()[:1] == b"{" else (None, [])
    if root is None:
        return False
    for el in root.iter("{http://www.w3.org/2005/Atom}link"):
        if el.get("rel") == "self" and (el.get("href") or "").startswith(ours):
            return True
    return False


def _full_text(data: bytes) -> bool:
    root, _ = validate.parse(data)
    if root is None:
        return False
    return (root.find(".//{http://purl.org/rss/1.0/modules/content/}encoded") is not None
            or root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content") is not None)


def validate_one(source: str, *, base: str | None, profile: str, several: bool,
                 load_site=_site) -> Result:
    result = Result(source)
    try:
        data = fetch_url(source) if _is_url(source) else read_file(source)
    except FetchError as exc:
        result.problems.append(Problem("error", "unreadable", str(exc), None, "syndication validate"))
        return result
    self_url = base
    if base and several and base.endswith("/") and not _is_url(source):
        self_url = base + Path(source).as_posix().lstrip("./")
    site = None
    chosen = profile
    if profile in (AUTO, "reprint"):
        try:
            site = load_site()
        except SyndicationError as exc:
            raise click.UsageError(f"the reprint profile needs the site's config: {exc}") from None
        if profile == AUTO:
            chosen = "reprint" if _is_ours(data, self_url, source, site) else "generic"
    try:
        full_text = chosen == "reprint" and _full_text(data)
        result.format, result.problems = validate.check(
            data, site=site if chosen == "reprint" else None, full_text=full_text, self_url=self_url,
            profile=chosen)
    except (Exception, RecursionError) as exc:  # one file never sinks the run: it gets its own verdict
        result.problems.append(Problem("error", "internal", f"the validator could not finish this file: "
                                       f"{type(exc).__name__}", None, "syndication validate"))
    return result


def _print_rules(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from .validation import rules

        click.echo(rules.render())
        ctx.exit(0)


@click.command("validate", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--format", "out_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per problem; json: one object per file.")
@click.option("--base", metavar="URL", default=None,
              help="Where the feed is published (its rel=\"self\" should say so; our own feeds' must). With several files, end it with "
                   "'/' and each file's path is appended.")
@click.option("--profile", type=click.Choice([AUTO, *sorted(validate.PROFILES)]), default=AUTO, show_default=True,
              help="Extra rules: reprint (our reprint policy), generic/none (the specifications only). auto: "
                   "reprint for feeds published under our feeds URL, generic for the rest.")
@click.option("--rules", is_flag=True, expose_value=False, is_eager=True, callback=_print_rules,
              help="Print every problem code with its level, the W3C class and the spec clause, and exit.")
@click.argument("sources", metavar="FILE|URL...", nargs=-1, required=True)
def validate_cmd(out_format: str, base: str | None, profile: str, sources: tuple[str, ...]) -> None:
    """Check feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) against their
    specifications and a profile. Exit 0: no errors; 1: some file has
    errors; 2: usage problem. Each file gets its own verdict; at most 50
    problems of one code and 1 MB of problems are listed per file."""
    if base is not None and urlsplit(base).scheme not in ("http", "https"):
        raise click.BadParameter("must be an http(s) URL", param_hint="--base")
    for source in sources:
        if not _is_url(source) and not os.path.exists(source):
            raise click.BadParameter(f"{source}: no such file", param_hint="FILE|URL")
        if _is_url(source) and urlsplit(source).scheme not in ("http", "https"):
            raise click.BadParameter(f"{source}: only http and https URLs", param_hint="FILE|URL")
    results = [validate_one(s, base=base, profile=profile, several=len(sources) > 1) for s in sources]
    for r in results:
        if out_format == "json":
            click.echo(json.dumps(r.as_json(), ensure_ascii=False))
        else:
            for line in r.text_lines():
                click.echo(line)
    raise SystemExit(1 if any(r.errors for r in results) else 0)
