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
    import requests

    detail = "no time left"
    for attempt in range(retries + 1):
        left = end - time.monotonic()
        if left <= 0:
            break
        try:
            resp = http.post(hub, data={"hub.mode": "publish", "hub.url": url},
                             timeout=(min(5.0, left), min(10.0, left)), allow_redirects=False)
        except requests.RequestException as exc:
            detail = type(exc).__name__
        else:
            resp.close()
            if 200 <= resp.status_code < 300:
                return Ping(hub, url, True, str(resp.status_code))
            detail = f"HTTP {resp.status_code}"
            if resp.status_code < 500 and resp.status_code != 429:
                break  # the hub refuses: asking again will not help
        wait = backoff_s * 2 ** attempt
        if time.monotonic() + wait >= end:
            break
        time.sleep(wait)
    return Ping(hub, url, False, detail)
