"""Apple Podcasts tags (http://www.itunes.com/dtds/podcast-1.0.dtd), as
Apple's "Podcast RSS feed requirements" define them."""

from __future__ import annotations

import re

from lxml import etree

from . import core
from .core import Ctx, qname, text

SPEC = "Apple Podcasts RSS tags"
_CHANNEL = frozenset("author block category complete explicit image keywords new-feed-url owner subtitle summary "
                     "type title link".split())
_ITEM = frozenset("author block duration explicit image isClosedCaptioned order subtitle summary title episode "
                  "season episodeType keywords".split())
_ONCE = frozenset("author block complete explicit image new-feed-url owner subtitle summary type title duration "
                  "isClosedCaptioned order episode season episodeType keywords".split())

#: Apple's categories → subcategories (the current list).
CATEGORIES: dict[str, frozenset[str]] = {k: frozenset(v.split("|")) if v else frozenset() for k, v in {
    "Arts": "Books|Design|Fashion & Beauty|Food|Performing Arts|Visual Arts",
    "Business": "Careers|Entrepreneurship|Investing|Management|Marketing|Non-Profit",
    "Comedy": "Comedy Interviews|Improv|Stand-Up",
    "Education": "Courses|How To|Language Learning|Self-Improvement",
    "Fiction": "Comedy Fiction|Drama|Science Fiction",
    "Government": "", "History": "",
    "Health & Fitness": "Alternative Health|Fitness|Medicine|Mental Health|Nutrition|Sexuality",
    "Kids & Family": "Education for Kids|Parenting|Pets & Animals|Stories for Kids",
    "Leisure": "Animation & Manga|Automotive|Aviation|Crafts|Games|Hobbies|Home & Garden|Video Games",
    "Music": "Music Commentary|Music History|Music Interviews",
    "News": "Business News|Daily News|Entertainment News|News Commentary|Politics|Sports News|Tech News",
    "Religion & Spirituality": "Buddhism|Christianity|Hinduism|Islam|Judaism|Religion|Spirituality",
    "Science": "Astronomy|Chemistry|Earth Sciences|Life Sciences|Mathematics|Natural Sciences|Nature|Physics|"
               "Social Sciences",
    "Society & Culture": "Documentary|Personal Journals|Philosophy|Places & Travel|Relationships",
    "Sports": "Baseball|Basketball|Cricket|Fantasy Sports|Football|Golf|Hockey|Rugby|Running|Soccer|Swimming|"
              "Tennis|Volleyball|Wilderness|Wrestling",
    "Technology": "", "True Crime": "",
    "TV & Film": "After Shows|Film History|Film Interviews|Film Reviews|TV Reviews",
}.items()}
#: Apple's earlier list (still read, but obsolete).
OLD_CATEGORIES: dict[str, frozenset[str]] = {k: frozenset(v.split("|")) if v else frozenset() for k, v in {
    "Arts": "Design|Fashion & Beauty|Food|Literature|Performing Arts|Visual Arts",
    "Business": "Business News|Careers|Investing|Management & Marketing|Shopping",
    "Comedy": "", "Education": "Education|Education Technology|Higher Education|K-12|Language Courses|Training",
    "Games & Hobbies": "Automotive|Aviation|Hobbies|Other Games|Video Games",
    "Government & Organizations": "Local|National|Non-Profit|Regional",
    "Health": "Alternative Health|Fitness & Nutrition|Self-Help|Sexuality",
    "Kids & Family": "", "Music": "", "News & Politics": "",
    "Religion & Spirituality": "Buddhism|Christianity|Hinduism|Islam|Judaism|Other|Spirituality",
    "Science & Medicine": "Medicine|Natural Sciences|Social Sciences",
    "Society & Culture": "History|Personal Journals|Philosophy|Places & Travel",
    "Sports & Recreation": "Amateur|College & High School|Outdoor|Professional",
    "Technology": "Gadgets|Tech News|Podcasting|Software How-To", "TV & Film": "",
}.items()}


def _spec(name: str) -> str:
    return f"{SPEC} <itunes:{name}>"


def check_itunes(ctx: Ctx, el: etree._Element, where: str, seen: dict[str, int]) -> None:
    name = qname(el)[1]
    allowed = _CHANNEL if where == "channel" else _ITEM if where == "item" else _CHANNEL | _ITEM
    if name not in allowed:
        ctx.report("undefined-element", f"<itunes:{name}> is not defined in {where}", el, SPEC)
        return
    if name in _ONCE:
        if el.tag in seen:
            ctx.report("duplicate-element", f"<itunes:{name}> appears more than once", el, _spec(name))
        seen[el.tag] = el.sourceline or 0
    value = text(el)
    if name == "explicit":
        if value.lower() not in ("true", "false"):
            ctx.report("itunes-explicit", f"<itunes:explicit> {value!r} is not 'true' or 'false'", el, _spec(name))
    elif name in ("block", "complete"):
        if value.lower() not in ("yes", "no", "true", "false"):
            ctx.report("itunes-yes-no", f"<itunes:{name}> {value!r} is not 'Yes' or 'No'", el, _spec(name))
    elif name == "image":
        href = el.get("href")
        if href is None:
            ctx.report("missing-attribute", "<itunes:image> lacks the attribute 'href'", el, _spec(name))
        elif not href.lower().startswith(("http://", "https://")) or core.uri_error(href):
            ctx.report("itunes-image", f"<itunes:image> href={href!r} is not an absolute http(s) URL", el, _spec(name))
    elif name == "category":
        _category(ctx, el, None)
    elif name == "duration":
        if not re.fullmatch(r"\d+(?::[0-5]?\d){0,2}", value):
            ctx.report("itunes-duration", f"<itunes:duration> {value!r} is not seconds, MM:SS or HH:MM:SS", el,
                      _spec(name))
    elif name in ("season", "episode"):
        why = core.pos_int_error(value)
        if why:
            ctx.report("itunes-number", f"<itunes:{name}> {value!r} {why}", el, _spec(name))
    elif name == "episodeType":
        if value not in ("full", "trailer", "bonus"):
            ctx.report("itunes-episode-type", f"<itunes:episodeType> {value!r} is not full, trailer or bonus", el,
                      _spec(name))
    elif name == "type":
        if value not in ("episodic", "serial"):
            ctx.report("itunes-type", f"<itunes:type> {value!r} is not episodic or serial", el, _spec(name))
    elif name in ("summary", "subtitle"):
        limit = 4000 if name == "summary" else 255
        if len(value) > limit:
            ctx.report("itunes-too-long", f"<itunes:{name}> is {len(value)} characters; the limit is {limit}", el,
                      _spec(name))
    elif name == "new-feed-url":
        err = core.uri_error(value)
        if err:
            ctx.report("itunes-url", f"<itunes:new-feed-url> {value!r} {err[1]}", el, _spec(name))
    elif name == "owner":
        email = el.find(f"{{{el.nsmap.get(el.prefix) or qname(el)[0]}}}email")
        if email is None:
            ctx.report("missing-element", "<itunes:owner> lacks <itunes:email>", el, _spec(name))
        else:
            res = core.addr_spec_error(text(email))
            if res:
                ctx.report("invalid-contact" if res[0] == "error" else "email-simple-domain",
                           f"<itunes:email> {text(email)!r} {res[1]}", email, _spec("email"))
    if name not in ("owner", "category") and core.has_child_elements(el):
        ctx.report("undefined-element", f"<itunes:{name}> may not contain elements", el, _spec(name))


def _category(ctx: Ctx, el: etree._Element, parent: str | None) -> None:
    cat = el.get("text")
    if cat is None:
        ctx.report("missing-attribute", "<itunes:category> lacks the attribute 'text'", el, _spec("category"))
        return
    if parent is None:
        known = cat in CATEGORIES or cat in OLD_CATEGORIES
        if not known:
            ctx.report("itunes-category", f"<itunes:category> {cat!r} is not an Apple Podcasts category", el,
                      _spec("category"))
    else:
        subs = CATEGORIES.get(parent, frozenset()) | OLD_CATEGORIES.get(parent, frozenset())
        if cat not in subs:
            ctx.report("itunes-category", f"<itunes:category> {cat!r} is not a subcategory of {parent!r}", el,
                      _spec("category"))
        elif cat not in CATEGORIES.get(parent, frozenset()):
            ctx.report("itunes-category-old", f"<itunes:category> {parent!r} / {cat!r} is from Apple's old list", el,
                     _spec("category"))
    for c in core.children(el):
        if c.tag == el.tag and parent is None:
            _category(ctx, c, cat)
        else:
            ctx.report("undefined-element", "<itunes:category> may only hold one level of <itunes:category>", c,
                      _spec("category"))
