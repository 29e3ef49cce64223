"""The data that flows between the stages: frozen, typed, always valid.

Every datetime here is timezone-aware; constructing one of these types with a
naive datetime raises at once, not three modules later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Status = Literal["publish", "draft", "future", "private", "withdrawn"]
#: ``withdrawn``: the site took the article down (``fetch --full``); export
#: writes it so, and an import keeps it out of every feed.
STATUSES: tuple[str, ...] = ("publish", "draft", "future", "private", "withdrawn")
FORMATS: tuple[str, ...] = ("rss", "atom", "json")


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class Image:
    #: Absolute http(s) URL of the image file.
    url: str
    #: MIME type, e.g. ``image/jpeg``.
    type: str
    #: Size of the file in bytes, or None when unknown.
    length: int | None = None
    #: Pixel dimensions, or None when unknown.
    width: int | None = None
    height: int | None = None
    #: Plain-text caption ("" when none).
    caption: str = ""


@dataclass(frozen=True)
class Article:
    """One article, checked and cleaned (see ``records.py``)."""

    #: Stable id chosen by the source (``ms-10452``); never derived from the title.
    id: str
    #: Absolute http(s) canonical URL of the article on the site (ASCII, percent-encoded).
    url: str
    #: Plain text, non-empty, NFC, no control characters.
    title: str
    #: Plain text (HTML stripped); may be "".
    lead: str
    #: Sanitized HTML with absolute links; may be "".
    body_html: str
    #: Author names, in byline order; may be empty.
    authors: tuple[str, ...]
    #: A section slug declared in config.
    section: str
    tags: tuple[str, ...]
    #: When it was (or will be) published; aware.
    published: datetime
    #: When it was last changed in a significant way, or None; aware.
    updated: datetime | None
    image: Image | None
    status: Status = "publish"
    #: The article is marked 18+ (the site's footer warns some material is).
    adult: bool = False

    def __post_init__(self) -> None:
        _aware("published", self.published)
        _aware("updated", self.updated)

    @property
    def modified(self) -> datetime:
        """The newest of published and updated."""
        return max(self.published, self.updated) if self.updated else self.published

    def visible_at(self, now: datetime) -> bool:
        """Only published articles whose time has come ever reach a feed."""
        return self.status == "publish" and self.published <= now


@dataclass(frozen=True)
class Site:
    name: str
    url: str
    language: str
    timezone: str
    logo: str
    icon: str
    feeds_url: str
    id_authority: str
    epoch: datetime
    #: The reprint condition, word for word from the site's footer.
    condition: str
    #: The short per-item rights statement.
    item_rights: str
    #: RFC 4946 license link target: the reprint terms page.
    terms_url: str
    #: Closing paragraph template of full-text items: {url}, {site}.
    closing: str
    #: WebSub hubs every feed advertises and that are pinged after a publish.
    hubs: tuple[str, ...] = ()
    #: Seconds a hub ping may take, in all (its retries included).
    hub_timeout: float = 20.0
    #: IndexNow key (8–128 of [A-Za-z0-9-]); None: no IndexNow. The build
    #: writes ``<key>.txt`` at the top of the out directory.
    indexnow_key: str | None = None
    #: Where ``syndication run`` posts the URLs of new and changed articles.
    indexnow_endpoint: str = "https://yandex.com/indexnow"

    def __post_init__(self) -> None:
        _aware("epoch", self.epoch)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    description: str
    #: The section's page on the site.
    url: str
    #: Parent slug, None for the root (Главная).
    parent: str | None
    #: Directory of its feeds under the out directory ("" = top).
    dir: str


@dataclass(frozen=True)
class Variant:
    name: str
    format: str
    full_text: bool
    file: str
    title_suffix: str = ""


@dataclass(frozen=True)
class FeedSpec:
    """One feed file: a section in one variant."""

    section: Section
    variant: Variant
    #: The section and every descendant: the slugs whose articles go in.
    slugs: frozenset[str]
    #: How many items (the newest N).
    items: int
    #: Path under the out directory, with "/" separators.
    path: str
    #: The URL the file is served at (its rel="self").
    self_url: str
    ttl: int
    title: str


@dataclass(frozen=True)
class Deploy:
    """``[deploy]`` in site.toml: where the store and the published objects
    live when no flag or environment variable says (flags win, then
    $SYNDICATION_STORE / boto3's own AWS_* variables, then these)."""

    #: A SQLite file or a postgresql:// URL (no password: ~/.pgpass or PGPASSWORD).
    store: str | None = None
    #: The S3-compatible endpoint for --out s3://… (e.g. https://storage.yandexcloud.net).
    endpoint_url: str | None = None
    #: Where the publish state of an s3:// target lives (default: .syndication/<prefix>.state.json).
    state_url: str | None = None


@dataclass(frozen=True)
class ContentLimits:
    """Bounds on what a record may hand to an HTML parser (``[content]`` in
    site.toml), checked by a linear scan before nh3 or lxml sees it."""

    #: The largest body_html, in UTF-8 bytes.
    max_body_bytes: int = 5 * 1024 * 1024
    #: The largest plain-text field (title, lead, an author, a tag, a caption), in UTF-8 bytes.
    max_text_bytes: int = 64 * 1024
    #: The deepest nesting of elements (as an HTML tree builder would nest them).
    max_depth: int = 256
    #: The most tags and character references ('<' and '&') in one field.
    max_tags: int = 100_000
    #: The most links and images (href, src, cite) in one field: each is resolved and normalized.
    max_links: int = 10_000
    #: The most re-openings of formatting elements left open (the HTML tree
    #: builder re-creates each at every later paragraph: quadratic work).
    max_reopen: int = 200_000


@dataclass(frozen=True)
class Config:
    site: Site
    sections: tuple[Section, ...]
    variants: tuple[Variant, ...]
    feeds: tuple[FeedSpec, ...]
    opml_path: str
    #: The directory the config was read from (for messages).
    source: str = ""
    #: RFC 5005 archive pages (see archives.py and ``[archives]`` in feeds.toml).
    archives: bool = True
    #: How long Atom feeds carry a tombstone (RFC 6721) for a withdrawn article.
    tombstone_days: int = 30
    #: The one (full-text) variant archive pages are written in.
    archive_variant: str = "atom-full"
    #: A page closes when it holds this many articles …
    archive_page_items: int = 200
    #: … or when one more would take it over this many bytes (estimated).
    archive_page_bytes: int = 5_000_000
    #: Bounds on record content ([content] in site.toml).
    content: ContentLimits = field(default_factory=ContentLimits)
    #: Where the store and the objects live ([deploy] in site.toml).
    deploy: Deploy = field(default_factory=Deploy)

    def section(self, slug: str) -> Section:
        for s in self.sections:
            if s.slug == slug:
                return s
        raise KeyError(slug)

    @property
    def section_slugs(self) -> frozenset[str]:
        return frozenset(s.slug for s in self.sections)


@dataclass(frozen=True)
class Problem:
    """One finding of a check: stable code, message, where, and the rule."""

    level: Literal["error", "warning"]
    code: str
    message: str
    line: int | None = None
    spec: str = ""

    def __str__(self) -> str:
        where = f"{self.line}: " if self.line else ""
        ref = f" [{self.spec}]" if self.spec else ""
        return f"{where}{self.level} {self.code}: {self.message}{ref}"


@dataclass
class Report:
    """What a command did: counts for -v and the problems for stderr."""

    rejected: list[str] = field(default_factory=list)
    #: Paths (under the out directory) of the files this build wrote.
    written: list[str] = field(default_factory=list)
    #: "path: id: why" for every article a partner profile left out to meet its budgets.
    dropped: list[str] = field(default_factory=list)
    #: "path: id: why" for every article a partner feed left out because,
    #: even shaped, it broke a rule of the profile.
    left_out: list[str] = field(default_factory=list)
    #: Files earlier builds published that this one no longer makes, removed.
    removed: list[str] = field(default_factory=list)
    feeds_written: int = 0
    feeds_unchanged: int = 0
    feeds_failed: list[str] = field(default_factory=list)
    #: Canonical URLs of the articles in the feeds that are new or whose
    #: content changed since the last build (for IndexNow).
    changed_urls: list[str] = field(default_factory=list)
    items: int = 0
    imported: int = 0
    unchanged: int = 0


# --- sources (config/sources.toml) --------------------------------------------

@dataclass(frozen=True)
class HttpLimits:
    """How patient and how greedy one run's HTTP may be (config/sources.toml
    [http]). Seconds and bytes. The defaults fit a run every few minutes: a
    silent, trickling or endless server costs a run at most ``deadline``."""

    #: Seconds to open a connection.
    connect_timeout: float = 10.0
    #: Seconds of silence allowed between two reads.
    read_timeout: float = 20.0
    #: Seconds for one whole response, headers and body together (a server
    #: trickling a byte at a time never holds a request longer).
    response_timeout: float = 30.0
    #: Seconds for the whole run: every request, retry and wait ends within this.
    deadline: float = 55.0
    #: Tries after the first one, for the retryable failures (connection
    #: errors, timeouts, 408, 429, 5xx, and invalid JSON with a 200).
    retries: int = 3
    #: The first backoff; doubled on each retry, capped by ``max_wait``.
    backoff: float = 1.0
    #: The longest single wait (a longer Retry-After gives up at once).
    max_wait: float = 30.0
    #: The largest response body read, after decompression (a larger one is
    #: cut off and refused; a gzip bomb stops here).
    max_bytes: int = 32 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True)
class WordPressSource:
    """How WordPress posts become records."""

    #: The site `syndication run` fetches from (None: run fetches nothing).
    url: str | None = None
    #: Record id = prefix + WordPress post id (``ms-10452``).
    id_prefix: str = "ms-"
    #: WordPress category slug → section slug, in order of preference.
    categories: tuple[tuple[str, str], ...] = ()
    #: The section of a post none of whose categories is mapped; None = reject it.
    default_section: str | None = None
    #: Posts per request (WordPress allows 1–100; we need 2–100: pages overlap by one).
    per_page: int = 100
    #: A ``--full`` pass refuses to withdraw more than this share of a source's articles.
    max_withdraw: float = 0.5
    #: Application password (``Authorization: Basic``); from the environment or a file, never the command line.
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def section_of(self, slug: str) -> str | None:
        for category, section in self.categories:
            if category == slug:
                return section
        return None


@dataclass(frozen=True)
class Sources:
    wordpress: WordPressSource = field(default_factory=WordPressSource)
    http: HttpLimits = field(default_factory=HttpLimits)
    #: The file it was read from ("" = defaults).
    file: str = ""


@dataclass(frozen=True)
class Partner:
    """A consumer of our feeds with rules of its own (config/partners.toml)."""

    name: str
    #: One of partners.PROFILES: yandex, dzen, google-news, partner.
    profile: str
    #: Section slugs it takes (each with its descendants).
    sections: tuple[str, ...]
    full_text: bool
    #: The newest N (the profile may allow fewer).
    items: int
    #: Output path under the out directory.
    path: str
    #: UTM parameters added to every link back to the site (never to the guid).
    utm: tuple[tuple[str, str], ...] = ()
    title: str = ""
    description: str = ""

