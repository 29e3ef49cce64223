"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).

Locations are JSON pointers (RFC 6901) at the start of each message, e.g.
"/items/3/id: …"; the line is left empty."""

from __future__ import annotations

import json
from typing import Any

from . import core
from .core import Ctx

SPEC = "JSON Feed 1.1"
VERSIONS = ("https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1")
_TOP = {"version": str, "title": str, "home_page_url": str, "feed_url": str, "description": str,
        "user_comment": str, "next_url": str, "icon": str, "favicon": str, "author": dict, "authors": list,
        "language": str, "expired": bool, "hubs": list, "items": list}
_ITEM = {"id": (str,), "url": (str,), "external_url": (str,), "title": (str,), "content_html": (str,),
         "content_text": (str,), "summary": (str,), "image": (str,), "banner_image": (str,),
         "date_published": (str,), "date_modified": (str,), "author": (dict,), "authors": (list,),
         "tags": (list,), "language": (str,), "attachments": (list,)}
_URLS_TOP = ("home_page_url", "feed_url", "next_url", "icon", "favicon")
_URLS_ITEM = ("url", "external_url", "image", "banner_image")
_MAX_DEPTH = 64


def looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _ptr(*parts: object) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts) or "/"


def _depth(value: Any, limit: int) -> bool:
    """True when the document holds a value deeper than ``limit`` (checked
    level by level, containers only: a value lies below ``limit`` exactly
    when a non-empty container lies at ``limit`` or deeper)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        deeper = []
        for v in level:
            values = v.values() if isinstance(v, dict) else v
            if depth >= limit and len(values):
                return True
            deeper += [x for x in values if isinstance(x, (dict, list))]
        level = deeper
        depth += 1
    return False


#: Largest JSON Feed read (bytes), most objects in it, most items checked.
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_JSON_OBJECTS = 100_000
MAX_ITEMS = 10_000


class _TooMany(Exception):
    pass


def _load(data: bytes) -> Any:
    """json.loads with a bound on the number of objects: a document of a
    million small objects is refused while it is read, not after."""
    text = data.decode("utf-8-sig")
    if data.count(b"{") <= MAX_JSON_OBJECTS:  # every object starts with '{': no need to count while reading
        return json.loads(text)
    count = 0

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal count
        count += 1
        if count > MAX_JSON_OBJECTS:
            raise _TooMany
        return dict(pairs)

    return json.loads(text, object_pairs_hook=hook)


def check_json(data: bytes, ctx: Ctx) -> tuple[str, dict[str, Any] | None]:
    """Check a JSON Feed: (format, the document or None when it cannot be read)."""
    if len(data) > MAX_JSON_BYTES:
        ctx.report("json-too-large", f"/: {len(data)} bytes: larger than the JSON Feed limit of {MAX_JSON_BYTES}",
                   None)
        return "unknown", None
    try:
        doc = _load(data)
    except UnicodeDecodeError:
        ctx.report("json-encoding", "/: a JSON Feed must be UTF-8", None, f"{SPEC}; RFC 8259 §8.1")
        return "unknown", None
    except RecursionError:
        ctx.report("json-too-deep", "/: the JSON nests too deeply", None, "RFC 8259 §9")
        return "unknown", None
    except _TooMany:
        ctx.report("json-too-large", f"/: more than {MAX_JSON_OBJECTS} objects", None)
        return "unknown", None
    except ValueError as exc:
        ctx.report("json-malformed", f"/: not valid JSON: {str(exc)[:200]}", None, "RFC 8259")
        return "unknown", None
    fmt = _check_doc(doc, ctx)
    return fmt, doc if fmt == "jsonfeed" and isinstance(doc, dict) else None


def _check_doc(doc: Any, ctx: Ctx) -> str:
    if not isinstance(doc, dict):
        ctx.report("format-unknown", "/: a JSON Feed is an object", None, SPEC)
        return "unknown"
    if _depth(doc, _MAX_DEPTH):
        ctx.report("json-too-deep", f"/: the JSON nests deeper than {_MAX_DEPTH} levels", None, SPEC)
        return "jsonfeed"
    version = doc.get("version")
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        ctx.report("format-unknown", f"/version: {version!r} is not a JSON Feed version URL", None, f"{SPEC} version")
        return "unknown"
    if version not in VERSIONS:
        ctx.report("json-version", f"/version: {version!r} is not https://jsonfeed.org/version/1.1", None,
                  f"{SPEC} version")
    elif version != VERSIONS[0]:
        ctx.report("json-version-old", f"/version: {version!r} is JSON Feed 1.0; 1.1 is current", None, f"{SPEC} version")
    for key, want in _TOP.items():
        if key in doc and not isinstance(doc[key], want):
            ctx.report("json-type", f"{_ptr(key)}: must be a {want.__name__}", None, f"{SPEC} {key}")
    _extensions(ctx, doc, ())
    for key in ("title", "items"):
        if key not in doc:
            ctx.report("json-missing", f"/{key}: required", None, f"{SPEC} {key}")
    for key in _URLS_TOP:
        _url(ctx, doc.get(key), (key,))
    if "feed_url" not in doc:
        ctx.report("json-feed-url", "/feed_url: should say where the feed lives", None, f"{SPEC} feed_url")
    elif ctx.self_url and doc.get("feed_url") != ctx.self_url:
        ctx.report("self-mismatch", f"/feed_url: {doc.get('feed_url')!r}, but the feed is published at {ctx.self_url!r}",
                  None, f"{SPEC} feed_url")
    if isinstance(doc.get("language"), str):
        why = core.language_error(doc["language"])
        if why:
            ctx.report("language", f"/language: {doc['language']!r} {why}", None, f"{SPEC} language")
    _authors(ctx, doc, ())
    if "author" in doc:
        ctx.report("json-author-old", "/author: deprecated in 1.1; use authors", None, f"{SPEC} authors")
    for i, hub in enumerate(doc.get("hubs") or [] if isinstance(doc.get("hubs"), list) else []):
        if not isinstance(hub, dict) or not isinstance(hub.get("type"), str) or not isinstance(hub.get("url"), str):
            ctx.report("json-hub", f"{_ptr('hubs', i)}: a hub needs string type and url", None, f"{SPEC} hubs")
    items = doc.get("items")
    if isinstance(items, list):
        if len(items) > MAX_ITEMS:
            ctx.report("json-too-large", f"/items: {len(items)} items; at most {MAX_ITEMS} are checked", None)
        ids: dict[str, int] = {}
        for i, item in enumerate(items[:MAX_ITEMS]):
            _item(ctx, item, i, ids)
    return "jsonfeed"


def _extensions(ctx: Ctx, obj: dict[str, Any], where: tuple[object, ...], known: object = None) -> None:
    allowed = known if isinstance(known, (dict, set, frozenset)) else _TOP
    for key in obj:
        if key.startswith("_"):
            continue
        if key not in allowed:
            ctx.report("json-unknown-key", f"{_ptr(*where, key)}: unknown key; extensions must begin with '_'", None,
                      f"{SPEC} extensions")


def _url(ctx: Ctx, value: object, where: tuple[object, ...]) -> None:
    if value is None or not isinstance(value, str):
        return
    err = core.uri_error(value, full=True)
    if err:
        ctx.report(core.uri_code(err[0], "json-url"), f"{_ptr(*where)}: {value!r} {err[1]}", None, f"{SPEC} {where[-1]}")


def _authors(ctx: Ctx, obj: dict[str, Any], where: tuple[object, ...]) -> None:
    people = []
    if isinstance(obj.get("author"), dict):
        people.append(((*where, "author"), obj["author"]))
    if isinstance(obj.get("authors"), list):
        people.extend(((*where, "authors", i), a) for i, a in enumerate(obj["authors"]))
    for path, person in people:
        if not isinstance(person, dict):
            ctx.report("json-type", f"{_ptr(*path)}: an author is an object", None, f"{SPEC} authors")
            continue
        _extensions(ctx, person, path, {"name", "url", "avatar"})
        if not any(isinstance(person.get(k), str) for k in ("name", "url", "avatar")):
            ctx.report("json-author", f"{_ptr(*path)}: an author needs a name, url or avatar", None, f"{SPEC} authors")
        _url(ctx, person.get("url"), (*path, "url"))
        _url(ctx, person.get("avatar"), (*path, "avatar"))


_ITEM_KEYS = frozenset(_ITEM)


def _item(ctx: Ctx, item: object, i: int, ids: dict[str, int]) -> None:
    where = ("items", i)
    if not isinstance(item, dict):
        ctx.report("json-type", f"{_ptr(*where)}: an item is an object", None, f"{SPEC} items")
        return
    for key, want in _ITEM.items():
        if key in item and not isinstance(item[key], want):
            ctx.report("json-type", f"{_ptr(*where, key)}: must be a {want[0].__name__}", None, f"{SPEC} items.{key}")
    _extensions(ctx, item, where, _ITEM_KEYS)
    iid = item.get("id")
    if iid is None:
        ctx.report("json-missing", f"{_ptr(*where, 'id')}: required", None, f"{SPEC} items.id")
    elif isinstance(iid, str):
        if not iid.strip():
            ctx.report("json-id", f"{_ptr(*where, 'id')}: is blank", None, f"{SPEC} items.id")
        elif iid in ids:
            ctx.report("duplicate-id", f"{_ptr(*where, 'id')}: {iid!r} is also /items/{ids[iid]}/id", None,
                      f"{SPEC} items.id")
        else:
            ids[iid] = i
    if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
        ctx.report("json-missing", f"{_ptr(*where)}: needs content_html or content_text", None, f"{SPEC} items")
    for key in _URLS_ITEM:
        value = item.get(key)
        if isinstance(value, str):
            _url(ctx, value, (*where, key))
    for key in ("date_published", "date_modified"):
        value = item.get(key)
        if isinstance(value, str):
            why = core.rfc3339_error(value)
            if why:
                ctx.report("rfc3339-date", f"{_ptr(*where, key)}: {value!r} {why}", None, f"{SPEC} items.{key}")
    if isinstance(item.get("content_html"), str):
        active, risky, _relative = core.scan_html(item["content_html"])
        for what in active:
            ctx.report("html-active", f"{_ptr(*where, 'content_html')}: contains {what}, which a reader would run",
                      None, f"{SPEC} content_html")
        for what in risky:
            ctx.report("html-risky", f"{_ptr(*where, 'content_html')}: contains {what}", None, f"{SPEC} content_html")
    if isinstance(item.get("tags"), list) and not all(isinstance(t, str) for t in item["tags"]):
        ctx.report("json-type", f"{_ptr(*where, 'tags')}: tags are strings", None, f"{SPEC} items.tags")
    if isinstance(item.get("language"), str):
        why = core.language_error(item["language"])
        if why:
            ctx.report("language", f"{_ptr(*where, 'language')}: {item['language']!r} {why}", None, f"{SPEC} language")
    _authors(ctx, item, where)
    for j, att in enumerate(item.get("attachments") or [] if isinstance(item.get("attachments"), list) else []):
        path = (*where, "attachments", j)
        if not isinstance(att, dict):
            ctx.report("json-type", f"{_ptr(*path)}: an attachment is an object", None, f"{SPEC} attachments")
            continue
        _extensions(ctx, att, path, {"url", "mime_type", "title", "size_in_bytes", "duration_in_seconds"})
        for key in ("url", "mime_type"):
            if not isinstance(att.get(key), str):
                ctx.report("json-missing", f"{_ptr(*path, key)}: required", None, f"{SPEC} attachments.{key}")
        _url(ctx, att.get("url"), (*path, "url"))
        if isinstance(att.get("mime_type"), str) and core.mime_error(att["mime_type"]):
            ctx.report("json-mime", f"{_ptr(*path, 'mime_type')}: {att['mime_type']!r} is not a MIME type", None,
                      f"{SPEC} attachments.mime_type")
        for key in ("size_in_bytes", "duration_in_seconds"):
            v = att.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
                ctx.report("json-type", f"{_ptr(*path, key)}: must be a non-negative number", None,
                          f"{SPEC} attachments.{key}")
