"""Partner profiles: each consumer's published rules, checked on the feed
itself (``syndication validate --profile yandex|dzen|google-news|partner``).
Our partner feeds are checked against their profile before publishing; the
reprint policy applies to every one of them too.

Every rule comes from the profile object (``syndication/profiles.py``), the
same one the partner builder shapes items with; and the item checks here
are the ones the builder runs on each item before it publishes it
(``item_problems``), so builder and validator cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from ..profiles import MEDIA_NS, PROFILES, YANDEX_NS, Profile
from ..records import has_markup
from ..types import Problem, Site
from . import policy
from .core import Ctx, text

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
YANDEX, DZEN, GOOGLE, PARTNER = (PROFILES[n] for n in ("yandex", "dzen", "google-news", "partner"))
YANDEX_SPEC, DZEN_SPEC, GOOGLE_SPEC, PARTNER_SPEC = (p.spec for p in (YANDEX, DZEN, GOOGLE, PARTNER))


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


class _Channel:
    """What item checks need to know about their channel."""

    def __init__(self, channel: etree._Element, site: Site | None):
        self.host = urlsplit(site.url).hostname if site is not None else None
        self.reference: datetime | None = None
        lbd = channel.find("lastBuildDate")
        if lbd is not None:
            try:
                self.reference = parsedate_to_datetime(text(lbd))
            except (TypeError, ValueError):
                self.reference = None


# --- item checks: the validator runs them on every item, the builder on each item it shapes ---

def yandex_item(item: etree._Element, ctx: Ctx, ch: _Channel, p: Profile = YANDEX) -> None:
    full = item.find(f"{{{YANDEX_NS}}}full-text")
    if full is None or not text(full):
        ctx.error("yandex-full-text", "item has no yandex:full-text", item, p.spec)
    elif has_markup(full.text):
        ctx.error("yandex-full-text-html", "yandex:full-text is plain text: an HTML parser would find a tag in it",
                  full, p.spec)
    g = item.find(f"{{{YANDEX_NS}}}genre")
    if g is not None and text(g) not in p.genres:
        ctx.error("yandex-genre", f"yandex:genre {text(g)!r}: one of {', '.join(sorted(p.genres))}", g, p.spec)
    for enc in item.findall("enclosure"):
        if ch.host and not p.encloses(enc.get("url", ""), ch.host):
            ctx.error("yandex-enclosure-host", f"enclosure {enc.get('url')!r} is not on the site's own domain", enc, p.spec)
        if not enc.get("type", "").startswith("image/"):
            ctx.error("yandex-enclosure-type", f"enclosure type {enc.get('type')!r} is not an image", enc, p.spec)


def dzen_item(item: etree._Element, ctx: Ctx, ch: _Channel, p: Profile = DZEN) -> None:
    if p.guid and item.find("guid") is None:
        ctx.error("dzen-guid", "item has no guid (Dzen recognises edits by it)", item, p.spec)
    rating = item.find(f"{{{MEDIA_NS}}}rating")
    if p.rating and (rating is None or text(rating) not in ("adult", "nonadult")):
        ctx.error("dzen-rating", "item needs <media:rating scheme=\"urn:simple\">adult|nonadult", item, p.spec)
    cats = {text(c) for c in item.findall("category")}
    for group in p.directive_groups:
        if not cats & group:
            ctx.error("dzen-directive", f"item lacks a category of {', '.join(sorted(group))}", item, p.spec)
    pub = item.find("pubDate")
    if p.window is not None and ch.reference is not None and pub is not None:
        try:
            if parsedate_to_datetime(text(pub)) < ch.reference - p.window:
                ctx.error("dzen-too-old", f"item is more than {p.window.days} days older than the feed: Dzen takes "
                          f"the last {p.window.days} days", pub, p.spec)
        except (TypeError, ValueError):
            pass
    content = item.find(CONTENT)
    if content is None or not (content.text or "").strip():
        ctx.error("dzen-content", "item has no content:encoded", item, p.spec)
        return
    enclosures = {e.get("url") for e in item.findall("enclosure")}
    for frag in _fragments(content.text):
        for el in frag.iter():
            if not isinstance(el.tag, str):
                continue
            if p.tags is not None and el.tag not in p.tags:
                ctx.error("dzen-tag", f"<{el.tag}> is not among the tags Dzen accepts", content, p.spec)
            if el.get("style") is not None:
                ctx.error("dzen-style", "style attributes are not accepted", content, p.spec)
            width = el.get("width") or ""
            if el.tag == "img" and p.enclosure_min_width and width.isdigit() \
                    and int(width) >= p.enclosure_min_width and el.get("src") not in enclosures:
                ctx.error("dzen-enclosure", f"image {el.get('src')!r} is ≥ {p.enclosure_min_width} px wide but not "
                          "an enclosure", content, p.spec)


def google_item(item: etree._Element, ctx: Ctx, ch: _Channel, p: Profile = GOOGLE) -> None:
    if p.guid and item.find("guid") is None:
        ctx.error("google-guid", "item has no stable guid", item, p.spec)
    if p.max_item_bytes and _size(item) > p.max_item_bytes:
        ctx.error("google-item-too-large", f"item is larger than {p.max_item_bytes} bytes", item, p.spec)
    content, desc = item.find(CONTENT), item.find("description")
    if content is None:
        ctx.error("google-content", "item has no content:encoded", item, p.spec)
        return
    if p.content_longer_than_description and desc is not None and len(content.text or "") <= len(desc.text or ""):
        ctx.error("google-content-short", "content:encoded is not longer than description", content, p.spec)
    markup = content.text or ""
    if p.no_script_or_style and (re.search(r"(?i)<(script|style)\b", markup)
                                 or re.search(r"(?i)<[a-z][^>]*\sstyle\s*=", markup)):
        ctx.error("google-markup", "content has script, style or style attributes", content, p.spec)


def partner_item(item: etree._Element, ctx: Ctx, ch: _Channel, p: Profile = PARTNER) -> None:
    content = item.find(CONTENT)
    if content is None:
        ctx.error("partner-full-text", "item has no full text (content:encoded)", item, p.spec)
        return
    for frag in _fragments(content.text or ""):
        for el in frag.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("href", "src"):
                value = el.get(attr)
                if p.absolute_urls and value is not None and not value.startswith(("https://", "http://", "mailto:")):
                    ctx.error("partner-relative-url", f"{attr}={value!r} is not absolute: it breaks when pasted",
                              content, p.spec)
            if el.tag == "img" and el.getparent() is not None and el.getparent().tag != "figure" \
                    and frag.tag != "figure":
                ctx.warn("partner-bare-image", f"image {el.get('src')!r} is not in a <figure>", content, p.spec)


ITEM_CHECKS: dict[str, Callable[[etree._Element, Ctx, _Channel], None]] = {
    "yandex": yandex_item, "dzen": dzen_item, "google-news": google_item, "partner": partner_item,
}


def item_problems(profile: str, root: etree._Element, site: Site | None) -> dict[str, list[Problem]]:
    """guid → the errors of that item under the profile's item checks and
    the reprint policy's item clauses (what the partner builder leaves out)."""
    channel = root.find("channel")
    if channel is None:
        return {}
    ch = _Channel(channel, site)
    out: dict[str, list[Problem]] = {}
    for item in channel.findall("item"):
        ctx = Ctx()
        ITEM_CHECKS[profile](item, ctx, ch)
        if site is not None:
            policy.check_rss_item(item, ctx, site, bool(PROFILES[profile].full_text))
        out[text(item.find("guid"))] = [p for p in ctx.problems if p.level == "error"]
    return out


# --- feed checks ----------------------------------------------------------------------

def _feed_budget(root: etree._Element, channel: etree._Element, ctx: Ctx, p: Profile, prefix: str) -> list:
    items = channel.findall("item")
    if p.max_bytes and _size(root) > p.max_bytes:
        ctx.error(f"{prefix}-too-large", f"the feed is larger than {p.max_bytes} bytes", root, p.spec)
    if p.max_items and len(items) > p.max_items:
        ctx.error(f"{prefix}-too-many", f"{len(items)} items: at most {p.max_items}", channel, p.spec)
    return items


def check_yandex(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, YANDEX.spec, site, False)
    if channel is None:
        return
    ch = _Channel(channel, site)
    texts = []
    for item in _feed_budget(root, channel, ctx, YANDEX, "yandex"):
        yandex_item(item, ctx, ch)
        full = item.find(f"{{{YANDEX_NS}}}full-text")
        if full is not None and text(full):
            texts.append(text(full))
    boiler = YANDEX.boilerplate(texts)
    if boiler:
        ctx.error("yandex-boilerplate", f"every item's full text ends with the same {len(boiler)} characters "
                  f"({boiler[-60:]!r}): Yandex rejects repeated boilerplate", channel, YANDEX.spec)


def check_dzen(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, DZEN.spec, site, True)
    if channel is None:
        return
    ch = _Channel(channel, site)
    for item in _feed_budget(root, channel, ctx, DZEN, "dzen"):
        dzen_item(item, ctx, ch)


def check_google_news(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, GOOGLE.spec, site, True)
    if channel is None:
        return
    ch = _Channel(channel, site)
    for item in _feed_budget(root, channel, ctx, GOOGLE, "google"):
        google_item(item, ctx, ch)


def check_partner(root, fmt: str, ctx: Ctx, site: Site | None, full_text: bool) -> None:
    channel = _channel(root, fmt, ctx, PARTNER.spec, site, True)
    if channel is None:
        return
    ch = _Channel(channel, site)
    for item in _feed_budget(root, channel, ctx, PARTNER, "partner"):
        partner_item(item, ctx, ch)
