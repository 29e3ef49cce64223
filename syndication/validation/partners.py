"""Partner profiles: each consumer's published rules, checked on the feed
itself (``syndication validate --profile yandex|dzen|google-news|partner``).
Our partner feeds are checked against their profile before publishing; the
reprint policy applies to every one of them too."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from ..types import Site
from . import policy
from .core import Ctx, text

YANDEX_NS = "http://news.yandex.ru"
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
YANDEX_SPEC = "Yandex News RSS requirements"
DZEN_SPEC = "Dzen RSS markup requirements"
GOOGLE_SPEC = "Google News feed guidelines"
PARTNER_SPEC = "reprint policy §4 (republishing partners)"
MB = 1024 * 1024

YANDEX_GENRES = {"message", "article", "interview", "lenta"}
DZEN_TAGS = {"p", "a", "b", "i", "u", "s", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol", "li",
             "img", "figure", "figcaption", "br"}
DZEN_DIRECTIVES = ({"format-article", "format-post"}, {"index", "noindex"},
                   {"comment-all", "comment-subscribers", "comment-none"})
DZEN_MIN_WIDTH = 700


def _channel(root, fmt: str, ctx: Ctx, spec: str, site: Site | None, full_text: bool) -> etree._Element | None:
    """The channel of an RSS 2.0 partner feed (None, reported, for anything
    else), after our reprint policy, which every partner feed follows too."""
    if not isinstance(root, etree._Element) or fmt != "rss20":
        ctx.error("profile-format", f"this profile's feeds are RSS 2.0, not {fmt}", None, spec)
        return None
    channel = root.find("channel")
    if channel is not None and site is not None:
        policy.check_policy(root, fmt, ctx, site, full_text)
    return channel


def _size(el: etree._Element) -> int:
    return len(etree.tostring(el, encoding="utf-8"))


def _fragments(markup: str) -> list:
    try:
        return [f for f in lxml_html.fragments_fromstring(markup) if not isinstance(f, str)]
    except (etree.ParserError, ValueError):
        return []


def _common_affix(texts: list[str]) -> str:
    """The whole closing paragraphs every item's text ends with (boilerplate
    such as a source line), or ""."""
    if len(texts) < 2:
        return ""
    rev = [t[::-1] for t in texts]
    shortest = min(rev, key=len)
    n = 0
    while n < len(shortest) and all(r[n] == shortest[n] for r in rev):
        n += 1
    suffix = texts[0][len(texts[0]) - n:]
    if "\n" not in suffix:
        return ""
    return suffix[suffix.index("\n") + 1:].strip()  # from a paragraph boundary on


def check_yandex(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, YANDEX_SPEC, site, False)
    if channel is None:
        return
    if _size(root) > 10 * MB:
        ctx.error("yandex-too-large", "the feed is larger than 10 MB", root, YANDEX_SPEC)
    host = urlsplit(site.url).hostname if site is not None else None
    texts = []
    for item in channel.findall("item"):
        full = item.find(f"{{{YANDEX_NS}}}full-text")
        if full is None or not text(full):
            ctx.error("yandex-full-text", "item has no yandex:full-text", item, YANDEX_SPEC)
        else:
            texts.append(text(full))
            if "<" in full.text and re.search(r"<[a-zA-Z/][^>]*>", full.text):
                ctx.error("yandex-full-text-html", "yandex:full-text is plain text, without HTML tags", full, YANDEX_SPEC)
        g = item.find(f"{{{YANDEX_NS}}}genre")
        if g is not None and text(g) not in YANDEX_GENRES:
            ctx.error("yandex-genre", f"yandex:genre {text(g)!r}: one of {', '.join(sorted(YANDEX_GENRES))}", g, YANDEX_SPEC)
        for enc in item.findall("enclosure"):
            url_host = urlsplit(enc.get("url", "")).hostname
            if host and url_host not in (host, f"www.{host}"):
                ctx.error("yandex-enclosure-host", f"enclosure {enc.get('url')!r} is not on the site's own domain", enc, YANDEX_SPEC)
            if not enc.get("type", "").startswith("image/"):
                ctx.error("yandex-enclosure-type", f"enclosure type {enc.get('type')!r} is not an image", enc, YANDEX_SPEC)
    boiler = _common_affix(texts)
    if len(boiler) >= 20:
        ctx.error("yandex-boilerplate", f"every item's full text ends with the same {len(boiler)} characters "
                  f"({boiler[-60:]!r}): Yandex rejects repeated boilerplate", channel, YANDEX_SPEC)


def check_dzen(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, DZEN_SPEC, site, True)
    if channel is None:
        return
    items = channel.findall("item")
    if len(items) > 500:
        ctx.error("dzen-too-many", f"{len(items)} items: Dzen takes at most 500 at a time", channel, DZEN_SPEC)
    reference = None
    lbd = channel.find("lastBuildDate")
    if lbd is not None:
        try:
            reference = parsedate_to_datetime(text(lbd))
        except (TypeError, ValueError):
            reference = None
    for item in items:
        if item.find("guid") is None:
            ctx.error("dzen-guid", "item has no guid (Dzen recognises edits by it)", item, DZEN_SPEC)
        rating = item.find(f"{{{MEDIA_NS}}}rating")
        if rating is None or text(rating) not in ("adult", "nonadult"):
            ctx.error("dzen-rating", "item needs <media:rating scheme=\"urn:simple\">adult|nonadult", item, DZEN_SPEC)
        cats = {text(c) for c in item.findall("category")}
        for group in DZEN_DIRECTIVES:
            if not cats & group:
                ctx.error("dzen-directive", f"item lacks a category of {', '.join(sorted(group))}", item, DZEN_SPEC)
        pub = item.find("pubDate")
        if reference is not None and pub is not None:
            try:
                if parsedate_to_datetime(text(pub)) < reference - timedelta(days=3):
                    ctx.error("dzen-too-old", "item is more than 3 days older than the feed: Dzen takes the last 3 days",
                              pub, DZEN_SPEC)
            except (TypeError, ValueError):
                pass
        content = item.find(CONTENT)
        if content is None or not (content.text or "").strip():
            ctx.error("dzen-content", "item has no content:encoded", item, DZEN_SPEC)
            continue
        enclosures = {e.get("url") for e in item.findall("enclosure")}
        for frag in _fragments(content.text):
            for el in frag.iter():
                if not isinstance(el.tag, str):
                    continue
                if el.tag not in DZEN_TAGS:
                    ctx.error("dzen-tag", f"<{el.tag}> is not among the tags Dzen accepts", content, DZEN_SPEC)
                if el.get("style") is not None:
                    ctx.error("dzen-style", "style attributes are not accepted", content, DZEN_SPEC)
                if el.tag == "img" and (el.get("width") or "").isdigit() and int(el.get("width")) >= DZEN_MIN_WIDTH \
                        and el.get("src") not in enclosures:
                    ctx.error("dzen-enclosure", f"image {el.get('src')!r} is ≥ {DZEN_MIN_WIDTH} px wide but not an enclosure",
                              content, DZEN_SPEC)


def check_google_news(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, GOOGLE_SPEC, site, True)
    if channel is None:
        return
    if _size(root) > 2 * MB:
        ctx.error("google-too-large", "the feed is larger than 2 MB", root, GOOGLE_SPEC)
    items = channel.findall("item")
    if len(items) > 60:
        ctx.error("google-too-many", f"{len(items)} items: at most 60", channel, GOOGLE_SPEC)
    for item in items:
        if item.find("guid") is None:
            ctx.error("google-guid", "item has no stable guid", item, GOOGLE_SPEC)
        if _size(item) > MB:
            ctx.error("google-item-too-large", "item is larger than 1 MB", item, GOOGLE_SPEC)
        content, desc = item.find(CONTENT), item.find("description")
        if content is None:
            ctx.error("google-content", "item has no content:encoded", item, GOOGLE_SPEC)
            continue
        if desc is not None and len(content.text or "") <= len(desc.text or ""):
            ctx.error("google-content-short", "content:encoded is not longer than description", content, GOOGLE_SPEC)
        markup = content.text or ""
        if re.search(r"(?i)<(script|style)\b", markup) or re.search(r"(?i)<[a-z][^>]*\sstyle\s*=", markup):
            ctx.error("google-markup", "content has script, style or style attributes", content, GOOGLE_SPEC)


def check_partner(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, PARTNER_SPEC, site, True)
    if channel is None:
        return
    for item in channel.findall("item"):
        content = item.find(CONTENT)
        if content is None:
            ctx.error("partner-full-text", "item has no full text (content:encoded)", item, PARTNER_SPEC)
            continue
        for frag in _fragments(content.text or ""):
            for el in frag.iter():
                if not isinstance(el.tag, str):
                    continue
                for attr in ("href", "src"):
                    value = el.get(attr)
                    if value is not None and not value.startswith(("https://", "http://", "mailto:")):
                        ctx.error("partner-relative-url", f"{attr}={value!r} is not absolute: it breaks when pasted",
                                  content, PARTNER_SPEC)
                if el.tag == "img" and el.getparent() is not None and el.getparent().tag != "figure" \
                        and frag.tag != "figure":
                    ctx.warn("partner-bare-image", f"image {el.get('src')!r} is not in a <figure>", content, PARTNER_SPEC)
