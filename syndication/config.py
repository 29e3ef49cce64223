"""config/*.toml → typed objects. The only reader of TOML.

Three files: ``site.toml`` (the site and its reprint condition),
``sections.toml`` (the section tree) and ``feeds.toml`` (feed variants and
defaults). Every error names the file and the key."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .directory import FEED_CSS, FEED_XSL, FEEDS_ALL_OPML, FEEDS_HTML
from .errors import ConfigError
from .profiles import PROFILES
from .records import normalize_url
from .types import FORMATS, Config, ContentLimits, Deploy, FeedSpec, HttpLimits, Partner, Section, Site, Sources, Variant, WordPressSource

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
FILES = ("site.toml", "sections.toml", "feeds.toml")
#: Optional files beside them (read by load_sources and load_partners).
OPTIONAL_FILES = ("sources.toml", "partners.toml")


def embedded_dir() -> Path:
    """The config bundled with the package: the repository's config/, installed
    as package data ``syndication._config``; in a source checkout, config/ itself."""
    from importlib.util import find_spec

    try:
        spec = find_spec("syndication._config")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        # a namespace package (config/ has no __init__.py): its one directory
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parent.parent / "config"


def load(directory: str | Path | None = None) -> Config:
    """Read and check the config in ``directory`` (default: the embedded one)."""
    base = Path(directory) if directory is not None else embedded_dir()
    if not base.is_dir():
        raise ConfigError(str(base), None, "config directory not found")
    raw = {name: _read(base / name) for name in FILES}
    site = _site(raw["site.toml"], str(base / "site.toml"))
    sections = _sections(raw["sections.toml"], str(base / "sections.toml"))
    ffile = str(base / "feeds.toml")
    feeds_doc = raw["feeds.toml"]
    _only(feeds_doc, {"defaults", "variant", "archives"}, ffile, "")
    defaults = _table(feeds_doc.get("defaults", {}), ffile, "defaults")
    _only(defaults, {"items", "opml", "ttl", "tombstone_days"}, ffile, "defaults")
    tombstone_days = _int(defaults.get("tombstone_days", 30), ffile, "defaults.tombstone_days", 0, 3650)
    arch = _table(feeds_doc.get("archives", {}), ffile, "archives")
    _only(arch, {"enabled", "variant", "page_items", "page_bytes"}, ffile, "archives")
    archives_on = arch.get("enabled", True)
    if not isinstance(archives_on, bool):
        raise ConfigError(ffile, "archives.enabled", "must be true or false")
    archive_variant = _str(arch.get("variant", "atom-full"), ffile, "archives.variant")
    page_items = _int(arch.get("page_items", 200), ffile, "archives.page_items", 1, 10_000)
    # below the validator's own size limit (20 MiB), with room for the estimate's error
    page_bytes = _int(arch.get("page_bytes", 5_000_000), ffile, "archives.page_bytes", 10_000, 10_000_000)
    items = _int(defaults.get("items", 50), ffile, "defaults.items", 1, 10_000)
    ttl = _int(defaults.get("ttl", 15), ffile, "defaults.ttl", 1, 10_080)
    opml = _relpath(_str(defaults.get("opml", "feeds.opml"), ffile, "defaults.opml"), ffile, "defaults.opml")
    variants = _variants(feeds_doc.get("variant"), ffile)
    feeds = tuple(
        _spec(site, sections, s, v, items, ttl) for s in sections for v in variants
    )
    paths = [f.path for f in feeds] + [opml]
    dupes = sorted({p for p in paths if paths.count(p) > 1})
    if dupes:
        raise ConfigError(ffile, "variant.file", f"two outputs share the path {dupes[0]!r}")
    archived = next((v for v in variants if v.name == archive_variant), None)
    if archives_on and (archived is None or not archived.full_text or archived.format == "json"):
        raise ConfigError(ffile, "archives.variant", f"{archive_variant!r} is not a full-text RSS or Atom variant")
    config = Config(site, sections, variants, feeds, opml, str(base), archives_on, tombstone_days,
                    archive_variant, page_items, page_bytes,
                    content=_content(raw["site.toml"], str(base / "site.toml")),
                    deploy=_deploy(raw["site.toml"], str(base / "site.toml")))
    for path in paths:
        why = reserved_path(config, path)
        if why:
            raise ConfigError(ffile, "variant.file", f"{path!r} {why}")
    return config


def reserved_path(config: Config, path: str) -> str | None:
    """Why an output path would clash with a file the build writes itself
    (the pages beside the feeds, a section's archive directory), or None."""
    top = config.opml_path.rpartition("/")[0]
    beside = {f"{top}/{name}" if top else name for name in (FEEDS_HTML, FEEDS_ALL_OPML)} | {FEED_XSL, FEED_CSS}
    if path in beside:
        return "is the name of a file the build writes beside the feeds"
    archive_dirs = {f"{s.dir}/archive" if s.dir else "archive" for s in config.sections}
    if any(path == d or path.startswith(d + "/") for d in archive_dirs):
        return "is inside a section's archive directory"
    if any(part.startswith(".") for part in path.split("/")):
        return "is hidden (the build's own state and lock files start with '.')"
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), None, f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc}") from None


def _only(table: dict, allowed: set[str], file: str, where: str) -> None:
    for key in table:
        if key not in allowed:
            name = f"{where}.{key}" if where else key
            raise ConfigError(file, name, f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _table(value: Any, file: str, key: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(file, key, "must be a table")
    return value


def _str(value: Any, file: str, key: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ConfigError(file, key, "must be a non-empty string")
    return value


def _int(value: Any, file: str, key: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(file, key, f"must be an integer from {lo} to {hi}")
    return value


def _url(value: Any, file: str, key: str) -> str:
    text = _str(value, file, key)
    try:
        return normalize_url(text)
    except ValueError as exc:
        raise ConfigError(file, key, str(exc)) from None


def _relpath(value: str, file: str, key: str) -> str:
    """A path under the out directory: relative, no '..', no backslashes."""
    p = PurePosixPath(value)
    if value == "" or value != value.strip() or "\\" in value or "\x00" in value:
        raise ConfigError(file, key, f"bad output path {value!r}")
    if p.is_absolute() or any(part in ("..", ".", "") for part in value.split("/")):
        raise ConfigError(file, key, f"output path {value!r} must stay inside the out directory")
    return value


def _site(doc: dict, file: str) -> Site:
    _only(doc, {"site", "reprint", "push", "content", "deploy"}, file, "")
    s = _table(doc.get("site"), file, "site")
    r = _table(doc.get("reprint"), file, "reprint")
    push = _table(doc.get("push", {}), file, "push")
    _only(push, {"hubs", "timeout", "indexnow_key", "indexnow_endpoint"}, file, "push")
    indexnow_key = push.get("indexnow_key")
    if indexnow_key is not None and not (isinstance(indexnow_key, str)
                                         and re.fullmatch(r"[A-Za-z0-9-]{8,128}", indexnow_key)):
        raise ConfigError(file, "push.indexnow_key", "must be 8 to 128 characters of A-Z, a-z, 0-9 and '-'")
    indexnow_endpoint = _url(push.get("indexnow_endpoint", "https://yandex.com/indexnow"), file, "push.indexnow_endpoint")
    hubs = push.get("hubs", [])
    if not isinstance(hubs, list):
        raise ConfigError(file, "push.hubs", "must be a list of URLs")
    hubs = tuple(_url(h, file, f"push.hubs[{i}]") for i, h in enumerate(hubs))
    hub_timeout = push.get("timeout", 20)
    if isinstance(hub_timeout, bool) or not isinstance(hub_timeout, (int, float)) or not 0 < hub_timeout <= 600:
        raise ConfigError(file, "push.timeout", "must be a number of seconds from 0 to 600")
    _only(s, {"name", "url", "language", "timezone", "logo", "icon", "feeds_url", "id_authority", "epoch"}, file, "site")
    _only(r, {"condition", "item_rights", "terms_url", "closing"}, file, "reprint")
    tzname = _str(s.get("timezone"), file, "site.timezone")
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(file, "site.timezone", f"unknown time zone {tzname!r}") from None
    lang = _str(s.get("language"), file, "site.language")
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        raise ConfigError(file, "site.language", f"not a language code: {lang!r}")
    authority = _str(s.get("id_authority"), file, "site.id_authority")
    if not re.fullmatch(r"[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?", authority):
        raise ConfigError(file, "site.id_authority", "must be 'domain,YYYY[-MM[-DD]]' (RFC 4151)")
    epoch_text = _str(s.get("epoch"), file, "site.epoch")
    try:
        epoch = datetime.fromisoformat(epoch_text)
    except ValueError:
        epoch = None
    if epoch is None or epoch.tzinfo is None:
        raise ConfigError(file, "site.epoch", "must be an ISO 8601 date-time with an offset")
    closing = _str(r.get("closing"), file, "reprint.closing")
    if "{url}" not in closing:
        raise ConfigError(file, "reprint.closing", "must contain {url}: the link to the original")
    try:
        closing.format(url="u", site="s")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(file, "reprint.closing", f"bad placeholder: {exc}") from None
    feeds_url = _url(s.get("feeds_url"), file, "site.feeds_url")
    if not feeds_url.endswith("/"):
        feeds_url += "/"
    return Site(
        name=_str(s.get("name"), file, "site.name"),
        url=_url(s.get("url"), file, "site.url"),
        language=lang,
        timezone=tzname,
        logo=_url(s.get("logo"), file, "site.logo"),
        icon=_url(s.get("icon"), file, "site.icon"),
        feeds_url=feeds_url,
        id_authority=authority,
        epoch=epoch,
        condition=_str(r.get("condition"), file, "reprint.condition"),
        item_rights=_str(r.get("item_rights"), file, "reprint.item_rights"),
        terms_url=_url(r.get("terms_url"), file, "reprint.terms_url"),
        closing=closing,
        hubs=hubs,
        hub_timeout=float(hub_timeout),
        indexnow_key=indexnow_key,
        indexnow_endpoint=indexnow_endpoint,
    )


def _content(doc: dict, file: str) -> ContentLimits:
    """``[content]``: bounds on what a record may hand to an HTML parser."""
    c = _table(doc.get("content", {}), file, "content")
    _only(c, {"max_body_bytes", "max_text_bytes", "max_depth", "max_tags", "max_links", "max_reopen"}, file, "content")
    default = ContentLimits()
    return ContentLimits(
        max_body_bytes=_int(c.get("max_body_bytes", default.max_body_bytes), file, "content.max_body_bytes", 1024, 64 * 1024 * 1024),
        max_text_bytes=_int(c.get("max_text_bytes", default.max_text_bytes), file, "content.max_text_bytes", 256, 1024 * 1024),
        max_depth=_int(c.get("max_depth", default.max_depth), file, "content.max_depth", 8, 1024),
        max_tags=_int(c.get("max_tags", default.max_tags), file, "content.max_tags", 100, 1_000_000),
        max_links=_int(c.get("max_links", default.max_links), file, "content.max_links", 10, 1_000_000),
        max_reopen=_int(c.get("max_reopen", default.max_reopen), file, "content.max_reopen", 0, 10_000_000),
    )


def _deploy(doc: dict, file: str) -> Deploy:
    """``[deploy]``: the store and the object store, when no flag or
    environment variable names them."""
    d = _table(doc.get("deploy", {}), file, "deploy")
    _only(d, {"store", "endpoint_url", "state_url"}, file, "deploy")
    store = d.get("store")
    if store is not None:
        store = _str(store, file, "deploy.store")
        if urlsplit(store).password is not None:
            raise ConfigError(file, "deploy.store", "holds a password: put it in ~/.pgpass or $PGPASSWORD, "
                              "never in a file that is copied around")
    endpoint = _url(d["endpoint_url"], file, "deploy.endpoint_url") if "endpoint_url" in d else None
    state_url = d.get("state_url")
    if state_url is not None:
        state_url = _str(state_url, file, "deploy.state_url")
        if not state_url.startswith("s3://"):
            raise ConfigError(file, "deploy.state_url", f"{state_url!r}: must be an s3://bucket/key URL")
    return Deploy(store, endpoint, state_url)


def _sections(doc: dict, file: str) -> tuple[Section, ...]:
    _only(doc, {"section"}, file, "")
    rows = doc.get("section")
    if not isinstance(rows, list) or not rows:
        raise ConfigError(file, "section", "must be a non-empty array of tables [[section]]")
    out: list[Section] = []
    for i, row in enumerate(rows):
        where = f"section[{i}]"
        row = _table(row, file, where)
        _only(row, {"slug", "title", "description", "url", "parent", "dir"}, file, where)
        slug = _str(row.get("slug"), file, f"{where}.slug")
        if not SLUG.fullmatch(slug):
            raise ConfigError(file, f"{where}.slug", f"{slug!r}: only a-z, 0-9 and inner hyphens")
        parent = row.get("parent")
        if parent is not None:
            parent = _str(parent, file, f"{where}.parent")
        directory = row.get("dir", slug)
        directory = _str(directory, file, f"{where}.dir", empty=True)
        if directory:
            directory = _relpath(directory, file, f"{where}.dir")
        out.append(Section(
            slug=slug,
            title=_str(row.get("title"), file, f"{where}.title"),
            description=_str(row.get("description"), file, f"{where}.description"),
            url=_url(row.get("url"), file, f"{where}.url"),
            parent=parent,
            dir=directory,
        ))
    slugs = [s.slug for s in out]
    for i, s in enumerate(out):
        if slugs.count(s.slug) > 1:
            raise ConfigError(file, f"section[{i}].slug", f"duplicate slug {s.slug!r}")
        if s.parent is not None and s.parent not in slugs:
            raise ConfigError(file, f"section[{i}].parent", f"unknown section {s.parent!r}")
    roots = [s for s in out if s.parent is None]
    if len(roots) != 1:
        raise ConfigError(file, "section", f"exactly one section must have no parent (found {len(roots)})")
    by_slug = {s.slug: s for s in out}
    for i, s in enumerate(out):  # no cycles: every chain reaches the root
        seen, cur = set(), s
        while cur.parent is not None:
            if cur.slug in seen:
                raise ConfigError(file, f"section[{i}].parent", "sections form a cycle")
            seen.add(cur.slug)
            cur = by_slug[cur.parent]
    return tuple(out)


def _variants(rows: Any, file: str) -> tuple[Variant, ...]:
    if not isinstance(rows, list) or not rows:
        raise ConfigError(file, "variant", "must be a non-empty array of tables [[variant]]")
    out = []
    for i, row in enumerate(rows):
        where = f"variant[{i}]"
        row = _table(row, file, where)
        _only(row, {"name", "format", "full_text", "file", "title_suffix"}, file, where)
        fmt = _str(row.get("format"), file, f"{where}.format")
        if fmt not in FORMATS:
            raise ConfigError(file, f"{where}.format", f"{fmt!r}: must be one of {', '.join(FORMATS)}")
        full = row.get("full_text", False)
        if not isinstance(full, bool):
            raise ConfigError(file, f"{where}.full_text", "must be true or false")
        name = _str(row.get("name"), file, f"{where}.name")
        if not SLUG.fullmatch(name):
            raise ConfigError(file, f"{where}.name", f"{name!r}: only a-z, 0-9 and inner hyphens")
        fname = _relpath(_str(row.get("file"), file, f"{where}.file"), file, f"{where}.file")
        out.append(Variant(name, fmt, full, fname, _str(row.get("title_suffix", ""), file, f"{where}.title_suffix", empty=True)))
    names = [v.name for v in out]
    for i, v in enumerate(out):
        if names.count(v.name) > 1:
            raise ConfigError(file, f"variant[{i}].name", f"duplicate variant {v.name!r}")
    return tuple(out)


def descendants(slug: str, sections: tuple[Section, ...]) -> frozenset[str]:
    """The section and every section below it."""
    found = {slug}
    changed = True
    while changed:
        changed = False
        for s in sections:
            if s.parent in found and s.slug not in found:
                found.add(s.slug)
                changed = True
    return frozenset(found)


def _spec(site: Site, sections: tuple[Section, ...], section: Section, variant: Variant, items: int, ttl: int) -> FeedSpec:
    path = f"{section.dir}/{variant.file}" if section.dir else variant.file
    title = site.name if section.parent is None else f"{site.name} — {section.title}"
    return FeedSpec(
        section=section,
        variant=variant,
        slugs=descendants(section.slug, sections),
        items=items,
        path=path,
        self_url=site.feeds_url + path,
        ttl=ttl,
        title=title + variant.title_suffix,
    )


# --- sources.toml (optional) ------------------------------------------------------

SOURCES_FILE = "sources.toml"
#: Environment variables for the WordPress application password.
ENV_WP_USER = "SYNDICATION_WP_USER"
ENV_WP_PASSWORD = "SYNDICATION_WP_APP_PASSWORD"


def load_sources(config: Config, environ: Mapping[str, str] | None = None) -> Sources:
    """Read ``sources.toml`` beside the config's other files (optional: without
    it every section slug maps the WordPress category of the same slug).

    The application password comes from $SYNDICATION_WP_USER and
    $SYNDICATION_WP_APP_PASSWORD, else ``[wordpress] user`` and
    ``password_file`` (a file holding only the password, relative to the
    config directory). It is never read from the command line."""
    env = os.environ if environ is None else environ
    base = Path(config.source) if config.source else embedded_dir()
    path = base / SOURCES_FILE
    file = str(path)
    doc = _read(path) if path.is_file() else {}
    _only(doc, {"wordpress", "http"}, file, "")
    wp = _table(doc.get("wordpress", {}), file, "wordpress")
    _only(wp, {"url", "id_prefix", "categories", "default_section", "per_page", "max_withdraw", "user", "password_file"},
          file, "wordpress")
    wp_url = _url(wp["url"], file, "wordpress.url") if "url" in wp else None
    slugs = config.section_slugs
    cats_doc = _table(wp.get("categories", {s.slug: s.slug for s in config.sections}), file, "wordpress.categories")
    categories = []
    for category, section in cats_doc.items():
        key = f"wordpress.categories.{category}"
        section = _str(section, file, key)
        if section not in slugs:
            raise ConfigError(file, key, f"unknown section {section!r} (declared: {', '.join(sorted(slugs))})")
        categories.append((category, section))
    default = wp.get("default_section")
    if default is not None:
        default = _str(default, file, "wordpress.default_section")
        if default not in slugs:
            raise ConfigError(file, "wordpress.default_section", f"unknown section {default!r}")
    prefix = _str(wp.get("id_prefix", "ms-"), file, "wordpress.id_prefix", empty=True)
    if prefix and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~:-]{0,50}", prefix):
        raise ConfigError(file, "wordpress.id_prefix", "only A-Z a-z 0-9 . _ ~ : - (starting with a letter or digit)")
    max_withdraw = wp.get("max_withdraw", 0.5)
    if isinstance(max_withdraw, bool) or not isinstance(max_withdraw, (int, float)) or not 0 <= max_withdraw <= 1:
        raise ConfigError(file, "wordpress.max_withdraw", "must be a number from 0 to 1")
    user = env.get(ENV_WP_USER) or None
    password = env.get(ENV_WP_PASSWORD) or None
    if user is None and "user" in wp:
        user = _str(wp["user"], file, "wordpress.user")
    if password is None and "password_file" in wp:
        pfile = base / _str(wp["password_file"], file, "wordpress.password_file")
        try:
            password = pfile.read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(file, "wordpress.password_file", f"cannot read {pfile}: {getattr(exc, 'strerror', None) or exc}") from None
    if (user is None) != (password is None):
        raise ConfigError(file, "wordpress.user", f"an application password needs both a user and a password "
                          f"(${ENV_WP_USER} / ${ENV_WP_PASSWORD}, or user / password_file)")
    wordpress = WordPressSource(
        url=wp_url,
        id_prefix=prefix,
        categories=tuple(categories),
        default_section=default,
        per_page=_int(wp.get("per_page", 100), file, "wordpress.per_page", 2, 100),
        max_withdraw=float(max_withdraw),
        user=user,
        password=password,
    )
    h = _table(doc.get("http", {}), file, "http")
    fields = {"connect_timeout", "read_timeout", "response_timeout", "deadline", "retries", "backoff", "max_wait",
              "max_bytes", "max_redirects"}
    _only(h, fields, file, "http")
    limits: dict[str, Any] = {}
    for key in ("connect_timeout", "read_timeout", "response_timeout", "deadline", "backoff", "max_wait"):
        if key in h:
            value = h[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 86_400:
                raise ConfigError(file, f"http.{key}", "must be a number of seconds, more than 0")
            limits[key] = float(value)
    if "retries" in h:
        limits["retries"] = _int(h["retries"], file, "http.retries", 0, 20)
    if "max_bytes" in h:
        limits["max_bytes"] = _int(h["max_bytes"], file, "http.max_bytes", 1024, 2**31)
    if "max_redirects" in h:
        limits["max_redirects"] = _int(h["max_redirects"], file, "http.max_redirects", 0, 30)
    return Sources(wordpress=wordpress, http=HttpLimits(**limits), file=file if doc else "")


PARTNERS_FILE = "partners.toml"


def load_partners(config: Config) -> tuple[Partner, ...]:
    """Read ``partners.toml`` beside the config's other files (optional: no
    file, no partner feeds)."""
    base = Path(config.source) if config.source else embedded_dir()
    path = base / PARTNERS_FILE
    if not path.is_file():
        return ()
    file = str(path)
    doc = _read(path)
    _only(doc, {"partner"}, file, "")
    rows = doc.get("partner", [])
    if not isinstance(rows, list):
        raise ConfigError(file, "partner", "must be an array of tables [[partner]]")
    out: list[Partner] = []
    taken = {spec.path for spec in config.feeds} | {config.opml_path}
    for i, row in enumerate(rows):
        where = f"partner[{i}]"
        row = _table(row, file, where)
        _only(row, {"name", "profile", "title", "description", "sections", "full_text", "items", "path", "utm"}, file, where)
        name = _str(row.get("name"), file, f"{where}.name")
        if not SLUG.fullmatch(name):
            raise ConfigError(file, f"{where}.name", f"{name!r}: only a-z, 0-9 and inner hyphens")
        profile = _str(row.get("profile"), file, f"{where}.profile")
        if profile not in PROFILES:
            raise ConfigError(file, f"{where}.profile", f"{profile!r}: one of {', '.join(sorted(PROFILES))}")
        sections = row.get("sections")
        if not isinstance(sections, list) or not sections or not all(isinstance(s, str) for s in sections):
            raise ConfigError(file, f"{where}.sections", "must be a non-empty list of section slugs")
        for s in sections:
            if s not in config.section_slugs:
                raise ConfigError(file, f"{where}.sections", f"unknown section {s!r}")
        full = row.get("full_text", True)
        if not isinstance(full, bool):
            raise ConfigError(file, f"{where}.full_text", "must be true or false")
        rel = _relpath(_str(row.get("path"), file, f"{where}.path"), file, f"{where}.path")
        if rel in taken:
            raise ConfigError(file, f"{where}.path", f"{rel!r} is already another feed's path")
        why = reserved_path(config, rel)
        if why:
            raise ConfigError(file, f"{where}.path", f"{rel!r} {why}")
        taken.add(rel)
        utm = _table(row.get("utm", {}), file, f"{where}.utm")
        for key, value in utm.items():
            if not re.fullmatch(r"utm_[a-z]+", key) or not isinstance(value, str) or not value:
                raise ConfigError(file, f"{where}.utm.{key}", "UTM parameters are utm_* = \"non-empty string\"")
        out.append(Partner(
            name=name, profile=profile, sections=tuple(sections), full_text=full,
            items=_int(row.get("items", 50), file, f"{where}.items", 1, 10_000), path=rel,
            utm=tuple(sorted(utm.items())),
            title=_str(row.get("title", ""), file, f"{where}.title", empty=True),
            description=_str(row.get("description", ""), file, f"{where}.description", empty=True),
        ))
    names = [p.name for p in out]
    for i, p in enumerate(out):
        if names.count(p.name) > 1:
            raise ConfigError(file, f"partner[{i}].name", f"duplicate partner {p.name!r}")
    return tuple(out)
