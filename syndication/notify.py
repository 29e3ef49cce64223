"""After a publish: tell WebSub hubs which feeds changed (hub.mode=publish).

Only feeds whose bytes changed are pinged. Every ping has to fit in one time
bound for the whole run (retries included); a hub that fails is reported and
never fails the build."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

USER_AGENT = "syndication/0.1 (+https://ms-news.ru/)"


@dataclass(frozen=True)
class Ping:
    hub: str
    url: str
    ok: bool
    detail: str  # "202", or what went wrong


def ping_hubs(hubs: Sequence[str], urls: Sequence[str], *, deadline_s: float = 20.0,
              retries: int = 2, backoff_s: float = 0.5) -> list[Ping]:
    """POST ``hub.mode=publish&hub.url=URL`` for every changed feed URL to
    every hub. Retries on connection errors and 5xx/429 while time remains."""
    if not hubs or not urls:
        return []
    import requests  # only when there is something to ping

    end = time.monotonic() + deadline_s
    results: list[Ping] = []
    with requests.Session() as http:
        http.headers["User-Agent"] = USER_AGENT
        for hub in hubs:
            for url in urls:
                results.append(_ping(http, hub, url, end, retries, backoff_s))
    return results


def _ping(http, hub: str, url: str, end: float, retries: int, backoff_s: float) -> Ping:
    return _post(http, hub, url, end, retries, backoff_s, data={"hub.mode": "publish", "hub.url": url})


#: IndexNow takes at most this many URLs in one POST.
INDEXNOW_BATCH = 10_000


def ping_indexnow(endpoint: str, key: str, site_url: str, urls: Sequence[str], *, deadline_s: float = 20.0,
                  retries: int = 2, backoff_s: float = 0.5) -> list[Ping]:
    """Tell an IndexNow endpoint (Yandex's by default) which article URLs are
    new or changed: POST JSON ``{host, key, keyLocation, urlList}``
    (https://yandex.com/support/webmaster/indexnow/). The key file is
    expected at the site's root, ``site_url + key + ".txt"``: IndexNow accepts
    only URLs under the key file's directory. One Ping per batch of URLs;
    retries on connection errors and 5xx/429 while time remains."""
    if not urls:
        return []
    import requests
    from urllib.parse import urlsplit

    end = time.monotonic() + deadline_s
    base = site_url if site_url.endswith("/") else site_url + "/"
    host = urlsplit(base).hostname or ""
    results: list[Ping] = []
    with requests.Session() as http:
        http.headers["User-Agent"] = USER_AGENT
        for start in range(0, len(urls), INDEXNOW_BATCH):
            batch = list(urls[start:start + INDEXNOW_BATCH])
            body = {"host": host, "key": key, "keyLocation": f"{base}{key}.txt", "urlList": batch}
            results.append(_post(http, endpoint, f"{len(batch)} URLs", end, retries, backoff_s,
                                 json=body, headers={"Content-Type": "application/json; charset=utf-8"}))
    return results


def _post(http, endpoint: str, what: str, end: float, retries: int, backoff_s: float, **kwargs) -> Ping:
    """POST until a 2xx, a refusal (4xx but 429), or the time bound; ``what``
    names what was sent (a feed URL, "N URLs") in the Ping."""
    import requests

    detail = "no time left"
    for attempt in range(retries + 1):
        left = end - time.monotonic()
        if left <= 0:
            break
        try:
            resp = http.post(endpoint, timeout=(min(5.0, left), min(10.0, left)), allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            detail = type(exc).__name__
        else:
            resp.close()
            if 200 <= resp.status_code < 300:
                return Ping(endpoint, what, True, str(resp.status_code))
            detail = f"HTTP {resp.status_code}"
            if resp.status_code < 500 and resp.status_code != 429:
                break  # 400/403/422: the endpoint refuses; asking again will not help
        wait = backoff_s * 2 ** attempt
        if time.monotonic() + wait >= end:
            break
        time.sleep(wait)
    return Ping(endpoint, what, False, detail)
