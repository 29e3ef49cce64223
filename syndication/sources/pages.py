"""Article pages in: HTML pages (or a sitemap of them) → checked Articles → the store.

For sites or sections without the REST API. Each page gives one record,
taken from, in order: JSON-LD (``NewsArticle``/``Article``), OpenGraph and
``article:*`` meta, then the theme's markup (``THEME``: the site's JNews,
and the other WordPress news themes' common classes: Newspaper's ``td-``,
``entry-title``/``entry-content``, ``<time>``, ``rel=author``), which alone
is enough: a page with none of the others gives its title, its date from
the meta line (``16.12.2024``, read in the site's time zone), the author
line, the lead and the body. The body comes from the theme's content
container with the site's chrome cut out (share buttons, font-size
controls, related articles, "ЧИТАЙТЕ ТАКЖЕ", menus, footer);
``parse_record`` then sanitizes it.

Charsets: a BOM wins; bytes that are valid UTF-8 are UTF-8 (whatever a meta
claims: a cp1251 page with Cyrillic is practically never valid UTF-8); else
the HTTP header's charset, else the meta's, if they decode; else windows-1251.

Each URL stands alone: one that cannot be used (HTTP error after retries,
timeout, too big, not an article, no date, no title) is one line on stderr
and is skipped (exit 65). Exit 75 only when the site as a whole cannot be
reached (see ``fetch``); the pages read before that are kept."""

from __future__ import annotations

import hashlib
import html
import mimetypes
import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from ..errors import RecordError, SourceUnavailable, UsageError
from ..records import normalize_url, parse_date, parse_record
from ..types import Article, Config, Sources
from ..http import Client, Refused, TooLarge, gunzip
from ..store import Store
from .wordpress import FetchReport, Progress, _iso, _section

Say = Callable[[str], None]
ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNews", "AnalysisNewsArticle", "OpinionNewsArticle"}
MAX_SITEMAPS = 50
#: The theme's chrome: never part of a record's body.
CHROME = (
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button", "svg", "iframe",
    "*[contains(concat(' ', normalize-space(@class), ' '), ' jeg_share_button ')]",
    "*[contains(@class, 'share')]", "*[contains(@class, 'social')]", "*[contains(@class, 'related')]",
    "*[contains(@class, 'jeg_font')]", "*[contains(@class, 'font-size')]", "*[contains(@class, 'jeg_meta_zoom')]",
    "*[contains(@class, 'jeg_ad')]", "*[contains(@class, 'td-a-rec')]", "*[contains(@class, 'advert')]",
    "*[contains(@class, 'breadcrumb')]", "*[contains(@class, 'jeg_post_tags')]", "*[contains(@class, 'td-post-source-tags')]",
    "*[contains(@class, 'jeg_meta')]", "*[contains(@class, 'td-post-header')]", "*[contains(@class, 'navigation')]",
    "*[contains(@class, 'td-post-next-prev')]", "*[contains(@class, 'comments')]", "*[contains(@class, 'jeg_search')]",
    "*[contains(@class, 'search-form')]", "*[contains(@class, 'search-noresult')]", "*[contains(@class, 'td-search')]",
    "*[contains(@class, 'subscribe')]",
)
#: The theme's markup, most specific first: JNews (``jeg_``, the site's own
#: theme), Newspaper (``td-``/``tdb-``), then what most WordPress themes
#: emit (``entry-*``, ``post-*``, ``<time>``, ``rel=author``, schema.org
#: microdata).
THEME = {
    "title": ("//h1[contains(@class, 'jeg_post_title')]", "//h1[contains(@class, 'tdb-title-text')]",
              "//*[contains(@class, 'td-post-title')]//h1", "//h1[contains(@class, 'entry-title')]",
              "//h1[contains(@class, 'post-title')]", "//h1[contains(@class, 'single-post-title')]",
              "//h1[@itemprop='headline']", "//article//h1"),
    "date": ("//*[contains(@class, 'jeg_meta_date')]", "//*[contains(@class, 'td-post-date')]",
             "//*[contains(@class, 'entry-date')]", "//*[contains(@class, 'post-date')]",
             "//*[contains(@class, 'posted-on')]", "//*[contains(@class, 'published')]",
             "//*[@itemprop='datePublished']", "//article//time", "//*[contains(@class, 'entry-meta')]",
             "//*[contains(@class, 'post-meta')]"),
    "modified": ("//*[@itemprop='dateModified']", "//time[contains(@class, 'updated')]"),
    "author": ("//*[contains(@class, 'jeg_meta_author')]//a", "//*[contains(@class, 'td-post-author-name')]//a",
               "//*[contains(@class, 'tdb-author-name')]", "//a[@rel='author']", "//*[contains(@class, 'byline')]//a",
               "//*[@itemprop='author']//*[@itemprop='name']", "//*[contains(@class, 'author-name')]",
               "//*[contains(@class, 'post-author')]//a"),
    "lead": ("//*[contains(@class, 'jeg_post_subtitle')]", "//*[contains(@class, 'td-post-sub-title')]",
             "//*[contains(@class, 'tdb-sub-title')]", "//*[contains(@class, 'entry-subtitle')]",
             "//*[contains(@class, 'post-subtitle')]", "//*[contains(@class, 'post-lead')]"),
    "section": ("//*[contains(@class, 'jeg_meta_category')]//a", "//*[contains(@class, 'td-category')]//a",
                "//*[contains(@class, 'tdb-category')]//a", "//*[contains(@class, 'cat-links')]//a",
                "//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]"),
}
BODY = ("//*[contains(@class, 'content-inner')]", "//*[@itemprop='articleBody']",
        "//*[contains(@class, 'td-post-content')]", "//*[contains(@class, 'entry-content')]",
        "//*[contains(@class, 'jeg_post_content')]", "//*[contains(@class, 'post-content')]",
        "//*[contains(@class, 'article-content')]", "//article")
_MONTHS = ("январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[йя]|июн[ья]|июл[ья]|августа?|сентябр[ья]|октябр[ья]|"
           "ноябр[ья]|декабр[ья]")
#: A date as the theme's meta line writes it: 16.12.2024, 16 декабря 2024 г., with an optional time.
THEME_DATE = re.compile(r"(?<![\d.])(?:\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}\s+(?:%s)\s+\d{4}(?:\s*г(?:ода|\.)?)?)"
                        r"(?:\s*,?\s*(?:в\s+)?\d{1,2}:\d{2}(?::\d{2})?)?(?![\d.])" % _MONTHS, re.I)
READ_ALSO = re.compile(r"^\s*(читайте\s+также|читать\s+также|смотрите\s+также|по\s+теме)\b", re.I)


class NotAnArticle(ValueError):
    """The page is not an article (a category archive, a static page, a tag)."""


#: Child sitemaps that never list articles (WordPress core, Yoast, Rank Math).
NOT_POSTS = re.compile(r"(taxonom|categor|post_tag|tag-sitemap|users|author|page-sitemap|sitemap-pages)", re.I)


#: This many URLs in a row that fail for want of an answer (no connection,
#: timed out, 5xx/429 after retries) mean the site as a whole is down: stop.
DOWN_AFTER = 3


def fetch(config: Config, sources: Sources, store: Store, urls: list[str], *, sitemap: str | None, now: datetime,
          say: Say = print, progress: Progress | None = None, client: Client | None = None) -> FetchReport:
    """Fetch article pages, each URL on its own: a URL that fails (HTTP
    error after retries, timeout, too large, not an article, no date) is one
    line through ``say`` and is skipped (exit 65); the usable pages are
    stored. The site as a whole is unreachable (SourceUnavailable, exit 75)
    when its sitemap or robots.txt cannot be read, when ``DOWN_AFTER`` URLs
    in a row get no answer, or when the run's time is spent: the pages read
    before that are stored, and with a sitemap the watermark advances only
    past what was read, so the next run goes on from there."""
    started = time.monotonic()
    report = FetchReport(source="pages")
    tz = ZoneInfo(config.site.timezone)
    client = client or Client(limits=sources.http)
    mark_key = new_mark = None
    articles: dict[str, tuple[Article, str]] = {}
    stopped: str | None = None

    def reject(message: str) -> None:
        report.rejected.append(message)
        say(message)

    try:
        dates: dict[str, datetime | None] = {}
        if sitemap is not None:
            try:
                sitemap = normalize_url(sitemap)
            except ValueError as exc:
                raise UsageError(f"--sitemap: {exc}") from None
            mark_key = f"watermark:pages:{sitemap}"
            old = store.get_state(mark_key)
            mark = datetime.fromisoformat(old) if old else None
            entries = read_sitemap(client, sitemap, tz)
            # Oldest first, undated ones before them: the watermark can then
            # advance past exactly what this run read.
            entries.sort(key=lambda e: (e[1] is not None, e[1] or now, e[0]))
            urls = [u for u, when in entries if mark is None or when is None or when > mark]
            dates = dict(entries)
        todo = list(dict.fromkeys(urls))
        done = len(todo)  # URLs read (well or not) before the run stopped
        streak = 0  # URLs in a row without an answer
        for i, url in enumerate(todo):
            if client.spent():
                done, stopped = i, f"the run's time limit of {client.limits.deadline:g} s is spent ([http] deadline)"
                break
            try:
                url = normalize_url(url)
                response = client.get(url, accept="text/html,application/xhtml+xml")
                html_text = decode_html(response.body, response.charset)
                article = extract(html_text, response.url, config, sources, tz)
            except SourceUnavailable as exc:
                reject(exc.message)
                streak += 1
                if streak >= DOWN_AFTER:
                    done, stopped = i + 1 - streak, f"{streak} URLs in a row got no answer: the site is down"
                    break
                if client.spent():
                    done, stopped = i, f"the run's time limit of {client.limits.deadline:g} s is spent ([http] deadline)"
                    break
                continue
            except (ValueError, UnicodeError) as exc:  # NotAnArticle too
                reject(f"{url}: {exc}")
            except Refused as exc:
                reject(str(exc))
            except RecordError as exc:
                reject(exc.message)
            else:
                origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
                articles[article.id] = (article, origin)
            streak = 0
            if progress is not None:
                progress(client.requests, i + 1)
        if stopped is not None:
            stopped += f"; {len(todo) - done} of {len(todo)} URLs not read yet (the next run goes on from there)"
        if mark_key is not None:
            unread = min((d for u in todo[done:] if (d := dates.get(u)) is not None), default=None)
            # The newest lastmod read, below the oldest one not read (undated URLs are read every time).
            new_mark = max((d for u in todo[:done] if (d := dates.get(u)) is not None
                            and (unread is None or d < unread)), default=None)
    finally:
        report.requests = client.requests
        client.close()
    report.listed = len(articles)
    with store.transaction():
        for origin in sorted({o for _a, o in articles.values()}):
            w, u = store.upsert([a for a, o in articles.values() if o == origin], source=f"pages:{origin}")
            report.written += w
            report.unchanged += u
        if mark_key and new_mark is not None:
            store.set_state(mark_key, _iso(new_mark))
    report.seconds = time.monotonic() - started
    if stopped is not None:
        raise SourceUnavailable(f"{stopped}; the {len(articles)} pages read before were stored")
    return report


# --- sitemaps -------------------------------------------------------------------------

def _xml(body: bytes, url: str, cap: int) -> etree._Element:
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz, served as a file rather than with Content-Encoding
        try:
            body = gunzip(body, cap)
        except TooLarge:
            raise SourceUnavailable(f"{url}: unpacks to more than the limit of {cap} bytes ([http] max_bytes)") from None
        except ValueError as exc:
            raise SourceUnavailable(f"{url}: not a gzip file: {exc}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceUnavailable(f"{url}: not a sitemap (XML error: {exc})") from None


def read_sitemap(client: Client, url: str, tz: ZoneInfo) -> list[tuple[str, datetime | None]]:
    """(page URL, lastmod or None) of a sitemap, following a sitemap index."""
    todo, seen, out = [url], set(), {}
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if len(seen) > MAX_SITEMAPS:
            raise SourceUnavailable(f"{url}: more than {MAX_SITEMAPS} sitemaps")
        try:
            response = client.get(current, accept="application/xml,text/xml")
        except Refused as exc:
            raise SourceUnavailable(str(exc)) from None
        root = _xml(response.body, current, client.limits.max_bytes)
        for node in root:
            if not isinstance(node.tag, str):
                continue
            tag = etree.QName(node).localname
            loc = lastmod = None
            for child in node:
                if isinstance(child.tag, str) and etree.QName(child).localname == "loc":
                    loc = (child.text or "").strip()
                elif isinstance(child.tag, str) and etree.QName(child).localname == "lastmod":
                    lastmod = (child.text or "").strip()
            if not loc:
                continue
            if tag == "sitemap":
                if not NOT_POSTS.search(urlsplit(loc).path):
                    todo.append(loc)
            elif tag == "url":
                when = None
                if lastmod:
                    try:
                        when = parse_date(lastmod, tz)
                    except ValueError:
                        when = None
                out[loc] = when
    return list(out.items())


# --- charsets ---------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)


def decode_html(body: bytes, header: str | None) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(codec, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(body[:4096])
    for name in (header, meta.group(1).decode("ascii", "replace") if meta else None):
        if not name or name.lower().replace("_", "-") in ("utf-8", "utf8"):
            continue
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("windows-1251", "replace")


# --- extraction -------------------------------------------------------------------------

def _json_ld(doc: Any) -> dict:
    found: dict = {}
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                types = item.get("@type")
                types = set(types) if isinstance(types, list) else {types}
                if types & ARTICLE_TYPES and not found:
                    found = item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return found


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("url") or value.get("@id"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return ""


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [n for n in (_text(v) for v in items) if n and not n.startswith("http")]


def _meta(doc: Any, *names: str) -> str:
    for name in names:
        for node in doc.xpath("//meta[@property=$n or @name=$n]", n=name):
            content = (node.get("content") or "").strip()
            if content:
                return content
    return ""


def _first(doc: Any, *paths: str) -> Any:
    for path in paths:
        found = doc.xpath(path)
        if found:
            return found[0]
    return None


def _clean_body(node: Any) -> str:
    node = lxml.html.fromstring(lxml.html.tostring(node, encoding="unicode"))
    for path in CHROME:
        for bad in node.xpath(f".//{path}"):
            if bad.getparent() is not None:
                bad.drop_tree()
    for el in list(node.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        text = el.text_content()
        if READ_ALSO.match(text) and len(text) < 400:  # a "ЧИТАЙТЕ ТАКЖЕ" block and the list after it
            nxt = el.getnext()
            if nxt is not None and nxt.tag in ("ul", "ol", "div"):
                nxt.drop_tree()
            el.drop_tree()
    for el in node.xpath(".//h1"):  # the headline repeated in the body
        el.drop_tree()
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in node)


def _clean_text(text: str) -> str:
    return " ".join(text.split())


_NOT_META = "ancestor::*[self::aside or self::footer or self::nav or self::script or self::style or " \
            "contains(@class, 'related') or contains(@class, 'widget') or contains(@class, 'sidebar')]"


def _theme_date(doc: Any, h1: Any, tz: ZoneInfo) -> str:
    """The publication date the theme prints: a ``datetime`` attribute or a
    date in the text of its date elements, else the first date-only text
    after the headline (the meta line), never one from widgets or footers.
    Returned as written (``parse_record`` reads it in the site's zone)."""
    for path in THEME["date"]:
        for node in doc.xpath(path):
            if node.xpath(_NOT_META):
                continue
            for value in (node.get("datetime"), node.get("content")):
                if value and _parses(value, tz):
                    return value.strip()
            for t in node.xpath(".//time/@datetime"):
                if _parses(t, tz):
                    return t.strip()
            m = THEME_DATE.search(_clean_text(node.text_content()))
            if m and _parses(m.group(0), tz):
                return m.group(0)
    if h1 is not None:
        for text in h1.xpath(f"following::text()[normalize-space()][not({_NOT_META})]")[:40]:
            line = _clean_text(text)
            m = THEME_DATE.search(line)
            if m and len(line) <= len(m.group(0)) + 30 and _parses(m.group(0), tz):
                return m.group(0)
    return ""


def _theme_modified(doc: Any) -> str:
    for path in THEME["modified"]:
        for node in doc.xpath(path):
            value = node.get("datetime") or node.get("content")
            if value:
                return value.strip()
    return ""


def _parses(text: str, tz: ZoneInfo) -> bool:
    try:
        parse_date(text, tz)
    except ValueError:
        return False
    return True


_BY = re.compile(r"^(?:by|автор(?:ы)?|от)\s*:?\s+", re.I)


def _theme_authors(doc: Any) -> list[str]:
    for path in THEME["author"]:
        names = [_BY.sub("", _clean_text(a.text_content())) for a in doc.xpath(path) if not a.xpath(_NOT_META)]
        names = list(dict.fromkeys(n for n in names if n and len(n) <= 100))
        if names:
            return names
    return []


def _page_id(doc: Any, url: str, prefix: str) -> str:
    short = _first(doc, "//link[@rel='shortlink']/@href")
    m = re.search(r"[?&]p=(\d+)", short or "")
    if not m:
        body_class = " ".join(doc.xpath("//body/@class"))
        m = re.search(r"\bpostid-(\d+)\b", body_class) or re.search(
            r"^post-(\d+)$", _first(doc, "//article/@id") or "")
    if m:
        return f"{prefix}{m.group(1)}"
    return "page-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]


def extract(text: str, url: str, config: Config, sources: Sources, tz: ZoneInfo) -> Article:
    """One page → one checked Article. Raises RecordError (ref: the URL)."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    # The theme's wrappers count toward libxml2's nesting limit (256 without
    # huge_tree): past it the rest of the page is dropped without an error,
    # and an article would be stored with its body cut or empty.
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise RecordError(url, None, f"not an HTML page: {exc}") from None
    if any("Excessive depth" in e.message for e in parser.error_log):
        raise RecordError(url, None, "elements nested too deep to read the page whole (libxml2's limit of 2048)")
    ld = _json_ld(doc)
    body_class = " ".join(doc.xpath("//body/@class"))
    h1 = _first(doc, *THEME["title"])
    theme_title = _clean_text(h1.text_content()) if h1 is not None else ""
    theme_date = _theme_date(doc, h1, tz) if not (_text(ld.get("datePublished"))
                                                  or _meta(doc, "article:published_time")) else ""
    if not (ld or _meta(doc, "og:type") == "article" or _meta(doc, "article:published_time")
            or re.search(r"\b(single-post|postid-\d+)\b", body_class) or (theme_title and theme_date)):
        raise NotAnArticle("not an article page (no JSON-LD Article, og:type article, article:published_time, "
                           "WordPress single-post, nor a theme headline with a date)")
    canonical = _text(ld.get("mainEntityOfPage")) or _meta(doc, "og:url") or (
        _first(doc, "//link[@rel='canonical']/@href") or url)
    try:
        canonical = normalize_url(canonical, url)
    except ValueError:
        canonical = url
    if h1 is None:
        h1 = _first(doc, "//h1")
        theme_title = _clean_text(h1.text_content()) if h1 is not None else ""
    title = _text(ld.get("headline")) or _meta(doc, "og:title") or theme_title
    if not title:
        raise RecordError(url, "title", "no title found (JSON-LD headline, og:title, the theme's <h1>)")
    published = _text(ld.get("datePublished")) or _meta(doc, "article:published_time") or theme_date
    if not published:
        raise RecordError(url, "published", "no date found (JSON-LD datePublished, article:published_time, "
                          "<time>, the theme's date line)")
    updated = _text(ld.get("dateModified")) or _meta(doc, "article:modified_time") or _theme_modified(doc) or None
    subtitle = _first(doc, *THEME["lead"])
    lead = (_clean_text(subtitle.text_content()) if subtitle is not None else "") or _text(ld.get("description")) \
        or _meta(doc, "og:description", "description")
    body_node = _first(doc, *BODY)
    body = _clean_body(body_node) if body_node is not None else ""
    if not body.strip() and isinstance(ld.get("articleBody"), str):
        body = "".join(f"<p>{html.escape(p.strip())}</p>" for p in ld["articleBody"].split("\n") if p.strip())
    if not lead and body:  # the theme printed no lead: the first paragraph stands in
        first_p = lxml.html.fragment_fromstring(body, create_parent="div").xpath("string(.//p[normalize-space()][1])")
        lead = _clean_text(first_p)
    authors = _names(ld.get("author")) or [a for a in [_meta(doc, "author")] if a] or _theme_authors(doc)
    section_names = [_text(ld.get("articleSection"))] + [_meta(doc, "article:section")] + [
        _clean_text(a.text_content()) for path in THEME["section"] for a in doc.xpath(path)]
    section = _page_section([s for s in section_names if s], canonical, config, sources)
    tags = [t.strip() for t in doc.xpath("//meta[@property='article:tag']/@content") if t.strip()]
    image = _page_image(doc, ld, canonical)
    record = {
        "id": _page_id(doc, canonical, sources.wordpress.id_prefix),
        "url": canonical, "title": title, "lead": lead, "body_html": body, "authors": authors,
        "section": section, "tags": tags, "published": published, "updated": updated, "image": image,
    }
    try:
        return parse_record(record, sections=config.section_slugs, tz=tz, limits=config.content)
    except RecordError as exc:
        raise RecordError(url, exc.field, exc.reason) from None


def _page_section(names: list[str], url: str, config: Config, sources: Sources) -> str:
    by_title = {s.title.casefold(): s.slug for s in config.sections}
    for name in names:
        if name.casefold() in by_title:
            return by_title[name.casefold()]
    wp = sources.wordpress
    segments = [seg for seg in urlsplit(url).path.split("/") if seg]
    try:
        return _section(segments, url, wp, url)
    except RecordError:
        raise RecordError(url, "section", f"no section found (names: {', '.join(names) or 'none'}; "
                          "map the category in sources.toml or set default_section)") from None


def _page_image(doc: Any, ld: dict, base: str) -> dict | None:
    url = _text(ld.get("image")) or _meta(doc, "og:image") or _first(
        doc, "//*[contains(@class, 'jeg_featured')]//img/@src", "//*[contains(@class, 'td-post-featured-image')]//img/@src",
        "//img[contains(@class, 'wp-post-image')]/@src", "//*[contains(@class, 'post-thumbnail')]//img/@src") or ""
    if not url:
        return None
    try:
        url = normalize_url(url, base)
    except ValueError:
        return None
    kind = _meta(doc, "og:image:type")

    def num(name: str) -> int | None:
        v = _meta(doc, name)
        return int(v) if v.isdigit() else None

    image = {"url": url, "width": num("og:image:width"), "height": num("og:image:height"),
             "caption": _meta(doc, "og:image:alt")}
    if kind.startswith("image/"):
        image["type"] = kind
    if "type" not in image and not (mimetypes.guess_type(urlsplit(url).path)[0] or "").startswith("image/"):
        return None
    return image
