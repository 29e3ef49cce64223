"""Article pages in: HTML pages (or a sitemap of them) → checked Articles → the store.

For sites or sections without the REST API. Each page gives one record,
taken from, in order: JSON-LD (``NewsArticle``/``Article``), OpenGraph and
``article:*`` meta, then the theme's markup (title, date, lead, body, author,
section, image). The body comes from the theme's content container with the
site's chrome cut out (share buttons, font-size controls, related articles,
"ЧИТАЙТЕ ТАКЖЕ", menus, footer); ``parse_record`` then sanitizes it.

Charsets: a BOM wins; bytes that are valid UTF-8 are UTF-8 (whatever a meta
claims: a cp1251 page with Cyrillic is practically never valid UTF-8); else
the HTTP header's charset, else the meta's, if they decode; else windows-1251.

A page that cannot be used (HTTP 4xx, too big, no date, no title) is one
line on stderr and is skipped (exit 65); a site that cannot be reached
(after retries) stops the run with exit 75 before anything is written."""

from __future__ import annotations

import gzip
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
from ..http import Client, Refused
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
    "*[contains(@class, 'jeg_font')]", "*[contains(@class, 'font-size')]", "*[contains(@class, 'jeg_ad')]",
    "*[contains(@class, 'advert')]", "*[contains(@class, 'breadcrumb')]", "*[contains(@class, 'jeg_post_tags')]",
    "*[contains(@class, 'jeg_meta')]", "*[contains(@class, 'navigation')]", "*[contains(@class, 'comments')]",
)
BODY = ("//*[contains(@class, 'content-inner')]", "//*[@itemprop='articleBody']", "//*[contains(@class, 'entry-content')]",
        "//*[contains(@class, 'jeg_post_content')]", "//article//*[contains(@class, 'post-content')]", "//article")
READ_ALSO = re.compile(r"^\s*(читайте\s+также|читать\s+также|смотрите\s+также|по\s+теме)\b", re.I)


class NotAnArticle(ValueError):
    """The page is not an article (a category archive, a static page, a tag)."""


#: Child sitemaps that never list articles (WordPress core, Yoast, Rank Math).
NOT_POSTS = re.compile(r"(taxonom|categor|post_tag|tag-sitemap|users|author|page-sitemap|sitemap-pages)", re.I)


def fetch(config: Config, sources: Sources, store: Store, urls: list[str], *, sitemap: str | None, now: datetime,
          say: Say = print, progress: Progress | None = None, client: Client | None = None) -> FetchReport:
    started = time.monotonic()
    report = FetchReport(source="pages")
    tz = ZoneInfo(config.site.timezone)
    client = client or Client(limits=sources.http)
    mark_key = new_mark = None
    articles: dict[str, tuple[Article, str]] = {}
    try:
        if sitemap is not None:
            try:
                sitemap = normalize_url(sitemap)
            except ValueError as exc:
                raise UsageError(f"--sitemap: {exc}") from None
            mark_key = f"watermark:pages:{sitemap}"
            old = store.get_state(mark_key)
            mark = datetime.fromisoformat(old) if old else None
            entries = read_sitemap(client, sitemap, tz)
            dated = [when for _u, when in entries if when is not None]
            new_mark = max(dated) if dated else None
            urls = [u for u, when in entries if mark is None or when is None or when > mark]
        for n, url in enumerate(dict.fromkeys(urls), 1):
            try:
                url = normalize_url(url)
                response = client.get(url, accept="text/html,application/xhtml+xml")
                html_text = decode_html(response.body, response.charset)
                article = extract(html_text, response.url, config, sources, tz)
            except NotAnArticle as exc:
                if sitemap is None:
                    report.rejected.append(f"{url}: {exc}")
                    say(f"{url}: {exc}")
                continue
            except ValueError as exc:
                report.rejected.append(f"{url}: {exc}")
                say(f"{url}: {exc}")
                continue
            except Refused as exc:
                report.rejected.append(str(exc))
                say(str(exc))
                continue
            except RecordError as exc:
                report.rejected.append(exc.message)
                say(exc.message)
                continue
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            articles[article.id] = (article, origin)
            if progress is not None:
                progress(client.requests, n)
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
    return report


# --- sitemaps -------------------------------------------------------------------------

def _xml(body: bytes, url: str) -> etree._Element:
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)[:64 * 1024 * 1024]
        except (OSError, EOFError) as exc:
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
        root = _xml(response.body, current)
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
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise RecordError(url, None, f"not an HTML page: {exc}") from None
    ld = _json_ld(doc)
    body_class = " ".join(doc.xpath("//body/@class"))
    if not (ld or _meta(doc, "og:type") == "article" or _meta(doc, "article:published_time")
            or re.search(r"\b(single-post|postid-\d+)\b", body_class)):
        raise NotAnArticle("not an article page (no JSON-LD Article, og:type article, article:published_time "
                           "or WordPress single-post)")
    canonical = _text(ld.get("mainEntityOfPage")) or _meta(doc, "og:url") or (
        _first(doc, "//link[@rel='canonical']/@href") or url)
    try:
        canonical = normalize_url(canonical, url)
    except ValueError:
        canonical = url
    h1 = _first(doc, "//h1[contains(@class, 'jeg_post_title')]", "//h1[contains(@class, 'entry-title')]",
                "//article//h1", "//h1")
    title = _text(ld.get("headline")) or _meta(doc, "og:title") or (h1.text_content().strip() if h1 is not None else "")
    if not title:
        raise RecordError(url, "title", "no title found (JSON-LD headline, og:title, <h1>)")
    time_el = _first(doc, "//article//time/@datetime", "//time[contains(@class, 'published')]/@datetime",
                     "//*[contains(@class, 'jeg_meta_date')]//text()[normalize-space()]", "//time/@datetime")
    published = (_text(ld.get("datePublished")) or _meta(doc, "article:published_time")
                 or (str(time_el).strip() if time_el is not None else ""))
    if not published:
        raise RecordError(url, "published", "no date found (JSON-LD datePublished, article:published_time, <time>)")
    updated = _text(ld.get("dateModified")) or _meta(doc, "article:modified_time") or None
    subtitle = _first(doc, "//*[contains(@class, 'jeg_post_subtitle')]", "//*[contains(@class, 'entry-subtitle')]")
    lead = (subtitle.text_content().strip() if subtitle is not None else "") or _text(ld.get("description")) \
        or _meta(doc, "og:description", "description")
    body_node = _first(doc, *BODY)
    body = _clean_body(body_node) if body_node is not None else ""
    if not body.strip() and isinstance(ld.get("articleBody"), str):
        body = "".join(f"<p>{html.escape(p.strip())}</p>" for p in ld["articleBody"].split("\n") if p.strip())
    authors = _names(ld.get("author")) or [a for a in [_meta(doc, "author")] if a] or [
        a.text_content().strip() for a in doc.xpath("//*[contains(@class, 'jeg_meta_author')]//a | //a[@rel='author']")
        if a.text_content().strip()]
    section_names = [_text(ld.get("articleSection"))] + [_meta(doc, "article:section")] + [
        a.text_content().strip() for a in doc.xpath("//*[contains(@class, 'jeg_meta_category')]//a")]
    section = _page_section([s for s in section_names if s], canonical, config, sources)
    tags = [t.strip() for t in doc.xpath("//meta[@property='article:tag']/@content") if t.strip()]
    image = _page_image(doc, ld, canonical)
    record = {
        "id": _page_id(doc, canonical, sources.wordpress.id_prefix),
        "url": canonical, "title": title, "lead": lead, "body_html": body, "authors": authors,
        "section": section, "tags": tags, "published": published, "updated": updated, "image": image,
    }
    try:
        return parse_record(record, sections=config.section_slugs, tz=tz)
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
    url = _text(ld.get("image")) or _meta(doc, "og:image")
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
