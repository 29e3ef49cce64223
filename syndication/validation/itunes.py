"""Apple Podcasts tags (http://www.itunes.com/dtds/podcast-1.0.dtd), as
Apple's "Podcast RSS feed requirements" define them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from lxml import etree

from . import core
from .core import Ctx, qname, text

SPEC = "Apple Podcasts RSS tags"
_C, _I, _B = frozenset({"channel"}), frozenset({"item"}), frozenset({"channel", "item"})


def _enum(*values: str, ci: bool = False):
    allowed = {v.lower() for v in values} if ci else set(values)

    def check(v: str) -> str | None:
        return None if (v.lower() if ci else v) in allowed else f"is not one of: {', '.join(values)}"
    return check


def _duration(v: str) -> str | None:
    return None if re.fullmatch(r"\d+(?::[0-5]\d(?::[0-5]\d)?)?", v) else "is not seconds, MM:SS or HH:MM:SS"


def _url(v: str) -> str | None:
    err = core.uri_error(v, full=True, iri=False)
    return err[1] if err and err[0] != "percent" else None


@dataclass(frozen=True)
class Tag:
    """One itunes: element: where it may stand, once or many, its value."""

    where: frozenset[str]
    once: bool = True
    #: value check (None: any text) and the code of a bad value
    value: Callable[[str], str | None] | None = None
    code: str = "invalid-value"
    #: longest value (characters), 0: no limit
    max_len: int = 0


#: Every Apple Podcasts tag the validator knows; adding one is one line.
TAGS: dict[str, Tag] = {
    "author": Tag(_B, max_len=255),
    "block": Tag(_B, value=_enum("yes", "no", "clean", ci=True), code="itunes-yes-no"),
    "category": Tag(_C, once=False),
    "complete": Tag(_C, value=_enum("yes", "no", ci=True), code="itunes-yes-no"),
    "explicit": Tag(_B, value=_enum("true", "false", ci=True), code="itunes-explicit"),
    "image": Tag(_B),
    "keywords": Tag(_B, max_len=255),
    "new-feed-url": Tag(_C, value=_url, code="itunes-url"),
    "owner": Tag(_C),
    "subtitle": Tag(_B, max_len=255),
    "summary": Tag(_B, max_len=4000),
    "type": Tag(_C, value=_enum("episodic", "serial"), code="itunes-type"),
    "title": Tag(_B),
    "link": Tag(_C, once=False),
    "pubDate": Tag(_C),
    "duration": Tag(_I, value=_duration, code="itunes-duration"),
    "isClosedCaptioned": Tag(_I, value=_enum("yes", "no", ci=True), code="itunes-yes-no"),
    "order": Tag(_I, value=core.pos_int_error, code="itunes-number"),
    "episode": Tag(_I, value=core.pos_int_error, code="itunes-number"),
    "season": Tag(_I, value=core.pos_int_error, code="itunes-number"),
    "episodeType": Tag(_I, value=_enum("full", "trailer", "bonus"), code="itunes-episode-type"),
}
_OWNER = {"email": 1, "name": 255}

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
#: Apple's first lists (2005–2012), still met in old podcasts; obsolete too.
for _k, _v in {
    "Arts": "Literature", "Arts & Entertainment": "Architecture|Design|Entertainment|Games|Performing Arts|"
    "Photography|Poetry|Science Fiction", "Audio Blogs": "", "Business": "Finance|News", "Family": "", "Food": "",
    "Health": "Diet & Nutrition|Fitness|Relationships", "International": "Australian|Belgian|Brazilian|Canadian|"
    "Chinese|Dutch|French|German|Hebrew|Italian|Japanese|Norwegian|Polish|Portuguese|Spanish|Swedish",
    "Movies & Television": "", "Politics": "", "Public Radio": "", "Religion & Spirituality": "New Age|Philosophy",
    "Talk Radio": "", "Technology": "Computers|Developers|Information Technology|News|Operating Systems|"
    "Smart Phones|Text/Speech", "Transportation": "Automotive|Aviation|Bicycles|Commuting", "Travel": "",
}.items():
    OLD_CATEGORIES[_k] = OLD_CATEGORIES.get(_k, frozenset()) | (frozenset(_v.split("|")) if _v else frozenset())


def _spec(name: str) -> str:
    return f"{SPEC} <itunes:{name}>"


def check_itunes(ctx: Ctx, el: etree._Element, where: str, seen: dict[str, int]) -> None:
    name = qname(el)[1]
    tag = TAGS.get(name)
    if tag is None or (where in ("channel", "item") and where not in tag.where):
        ctx.report("undefined-element", f"<itunes:{name}> is not defined in {where}", el, SPEC)
        return
    if tag.once:
        if el.tag in seen:
            ctx.report("duplicate-element", f"<itunes:{name}> appears more than once", el, _spec(name))
        seen[el.tag] = el.sourceline or 0
    value = text(el)
    if tag.value is not None:
        why = tag.value(value)
        if why:
            ctx.report(tag.code, f"<itunes:{name}> {value!r} {why}", el, _spec(name))
    if tag.max_len and len(value) > tag.max_len:
        ctx.report("itunes-too-long", f"<itunes:{name}> is {len(value)} characters; the limit is {tag.max_len}", el,
                   _spec(name))
    if name == "keywords" and " " in value and "," not in value:
        ctx.report("itunes-keywords", "<itunes:keywords> should separate keywords with commas, not spaces", el,
                   _spec(name))
    elif name == "image":
        href = el.get("href")
        if href is None:
            ctx.report("missing-attribute", "<itunes:image> lacks the attribute 'href'", el, _spec(name))
        elif not re.match(r"(?i)https?://[^/:?#\s]+(?::\d+)?(?:/|$)", href) or core.uri_error(href, iri=False):
            ctx.report("itunes-image", f"<itunes:image> href={href!r} is not an absolute http(s) URL", el, _spec(name))
    elif name == "category":
        _category(ctx, el, None)
    elif name == "owner":
        _owner(ctx, el)
    if name not in ("owner", "category") and core.has_child_elements(el):
        ctx.report("undefined-element", f"<itunes:{name}> may not contain elements", el, _spec(name))


def _owner(ctx: Ctx, el: etree._Element) -> None:
    ns = qname(el)[0]
    kids: dict[str, int] = {}
    for c in core.children(el):
        cns, local = qname(c)
        if cns != ns:
            continue
        if local not in _OWNER:
            ctx.report("undefined-element", f"<itunes:{local}> is not allowed in <itunes:owner>", c, _spec("owner"))
            continue
        kids[local] = kids.get(local, 0) + 1
        if kids[local] == 2:
            ctx.report("duplicate-element", f"<itunes:owner> has more than one <itunes:{local}>", c, _spec("owner"))
        value = text(c)
        if local == "email":
            res = core.addr_spec_error(value)
            if res:
                ctx.report("invalid-contact" if res[0] == "error" else "email-simple-domain",
                           f"<itunes:email> {value!r} {res[1]}", c, _spec("email"))
        elif len(value) > _OWNER[local]:
            ctx.report("itunes-too-long", f"<itunes:name> is {len(value)} characters; the limit is {_OWNER[local]}",
                       c, _spec("owner"))
    if "email" not in kids:
        ctx.report("missing-element", "<itunes:owner> lacks <itunes:email>", el, _spec("owner"))


def _category(ctx: Ctx, el: etree._Element, parent: str | None) -> None:
    """A category from Apple's list; one from the earlier list is obsolete
    (a warning); anything else, or a subcategory of another, is an error."""
    cat = el.get("text")
    if cat is None:
        ctx.report("missing-attribute", "<itunes:category> lacks the attribute 'text'", el, _spec("category"))
        return
    new = frozenset(CATEGORIES) if parent is None else CATEGORIES.get(parent, frozenset())
    old = frozenset(OLD_CATEGORIES) if parent is None else OLD_CATEGORIES.get(parent, frozenset())
    shown = repr(cat) if parent is None else f"{parent!r} / {cat!r}"
    if cat not in new:
        if cat in old:
            ctx.report("itunes-category-old", f"<itunes:category> {shown} is from Apple's obsolete list", el,
                       _spec("category"))
        else:
            ctx.report("itunes-category", f"<itunes:category> {shown} is not an Apple Podcasts category", el,
                       _spec("category"))
    for c in core.children(el):
        if c.tag == el.tag and parent is None:
            if cat:
                _category(ctx, c, cat)
        else:
            ctx.report("undefined-element", "<itunes:category> may only hold one level of <itunes:category>", c,
                       _spec("category"))
