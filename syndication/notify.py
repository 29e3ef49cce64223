"""After a publish: tell WebSub hubs which feeds changed (hub.mode=publish),
and IndexNow which article URLs are new or changed.

Only feeds whose bytes changed are pinged. Every POST goes through the one
HTTP client (syndication/http.py: its User-Agent, retries, backoff and
bounds), within one time bound for all pings of a run (``[push] timeout``);
a hub that fails is reported and never fails the build."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import SourceUnavailable
from .http import Client, Refused
from .types import HttpLimits


@dataclass(frozen=True)
class Ping:
    hub: str
    url: str
    ok: bool
    detail: str  # "202", or what went wrong


def ping_hubs(hubs: Sequence[str], urls: Sequence[str], *, deadline_s: float = 20.0,
              limits: HttpLimits | None = None) -> list[Ping]:
    """POST ``hub.mode=publish&hub.url=URL`` for every changed feed URL to
    every hub, all within ``deadline_s``."""
    if not hubs or not urls:
        return []
    with Client.within(limits or HttpLimits(), deadline_s, robots=False) as client:
        return [_post(client, hub, url, data={"hub.mode": "publish", "hub.url": url})
                for hub in hubs for url in urls]


#: IndexNow takes at most this many URLs in one POST.
INDEXNOW_BATCH = 10_000


def ping_indexnow(endpoint: str, key: str, site_url: str, urls: Sequence[str], *, deadline_s: float = 20.0,
                  limits: HttpLimits | None = None) -> list[Ping]:
    """Tell an IndexNow endpoint (Yandex's by default) which article URLs are
    new or changed: POST JSON ``{host, key, keyLocation, urlList}``
    (https://yandex.com/support/webmaster/indexnow/). The key file is
    expected at the site's root, ``site_url + key + ".txt"``: IndexNow accepts
    only URLs under the key file's directory. One Ping per batch of URLs."""
    if not urls:
        return []
    base = site_url if site_url.endswith("/") else site_url + "/"
    host = urlsplit(base).hostname or ""
    results: list[Ping] = []
    with Client.within(limits or HttpLimits(), deadline_s, robots=False) as client:
        for start in range(0, len(urls), INDEXNOW_BATCH):
            batch = list(urls[start:start + INDEXNOW_BATCH])
            body = {"host": host, "key": key, "keyLocation": f"{base}{key}.txt", "urlList": batch}
            results.append(_post(client, endpoint, f"{len(batch)} URLs", json_body=body,
                                 headers={"Content-Type": "application/json; charset=utf-8"}))
    return results


def _post(client: Client, endpoint: str, what: str, **kwargs: Any) -> Ping:
    """One POST until a 2xx, a refusal (4xx but 408/429), or the time bound;
    ``what`` names what was sent (a feed URL, "N URLs") in the Ping."""
    try:
        response = client.post(endpoint, **kwargs)
    except Refused as exc:
        return Ping(endpoint, what, False, exc.reason)
    except SourceUnavailable as exc:
        return Ping(endpoint, what, False, getattr(exc, "problem", exc.message))
    return Ping(endpoint, what, True, str(response.status))
