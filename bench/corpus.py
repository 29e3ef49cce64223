"""A deterministic, realistic corpus of Russian-language article records.

    python bench/corpus.py N [SEED] > corpus.jsonl

Streams N records (never holds them in memory); the same N and seed give the
same bytes. Shaped like what a WordPress news site exports, not like our own
sample:

- pace: ~140 articles a day (fewer at night), going back from 2025-11-20, so
  100k articles are about two years and 1M about twenty;
- bodies of 3–30 KB (log-normal, median ~8 KB; one in a thousand a ~150 KB
  long read): paragraphs recombined from the bundled sample, with WordPress
  markup around them (classes, inline styles, ``<span>``, ``&nbsp;``,
  ``<div>`` wrappers, relative links, ``target``/``rel``);
- figures and images with real widths and heights (several large images
  inside the text on one article in three, small ones, images without
  sizes, images on other hosts), galleries, tables, YouTube iframes,
  Telegram and VK embed scripts, blockquotes, lists, headings;
- text that only looks like markup: ``&lt;script&gt;`` written about in
  prose, ``доля &lt;5%``, ``R&amp;D``, «ёлочки», the odd emoji and entity in a
  title;
- 1–2 of a dozen authors (none on agency copy), every section, 1–5 tags,
  a lead on most, a featured image on 90 %, ``adult`` on a few incidents;
- edits (``updated`` after ``published`` on ~15 %) and withdrawals (posts
  unpublished as ``private`` ~0.5 %, ``draft`` ~0.3 %).

Every record is valid: importing the corpus exits 0."""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from syndication import sample

SECTIONS = ["novosti", "v-rossii", "v-mire", "obshchestvo", "nauka-i-tekhnologii",
            "politika", "proisshestviya", "stati"]
#: How often each section gets an article (news sections dominate).
SECTION_WEIGHTS = [10, 22, 20, 14, 9, 12, 9, 4]
AUTHORS = ["Алексей Балиев", "Ирина Соколова", "Дмитрий Воронцов", "Марина Ключникова",
           "Сергей Ладыгин", "Ольга Пестова", "Никита Жаров", "Анна Фёдорова",
           "Павел Кременецкий", "Юлия Ким", "Тимур Абдуллаев", "Елена О'Нил"]
EXTRA_TAGS = ["R&D", "ИИ", "Telegram", "ВКонтакте", "Госуслуги", "ЦБ", "ставка ЦБ", "ОСАГО", "ЕГЭ",
              "Роскомнадзор", "Минздрав", "погода", "футбол", "КХЛ", "нефть", "газ", "биткоин", "рубль"]
MSK = timezone(timedelta(hours=3))
START = datetime(2025, 11, 20, 18, 0, tzinfo=MSK)
SITE = "https://ms-news.ru"
#: Real image sizes (width, height) as WordPress makes them.
LARGE = [(1200, 675), (1024, 683), (1280, 720), (1920, 1080), (2048, 1365), (800, 533), (1200, 800), (960, 640),
         (700, 466), (1600, 1067), (2560, 1440), (750, 1000), (1080, 1350)]
SMALL = [(300, 200), (640, 427), (600, 400), (480, 320), (150, 150), (696, 464), (320, 480)]
OTHER_HOSTS = ["https://upload.wikimedia.org/wikipedia/commons/thumb/a/ab", "https://cdn.tass.ru/resize",
               "https://img.ria.ru/images/07e8", "https://sun9-1.userapi.com/impg"]
#: The mean gap between two articles in the day; the night (0–6 MSK) is three times slower.
GAP_S = 514.0
TITLE_EXTRAS = ["Видео: ", "Фото: ", "Онлайн: ", "", "", "", "", "", "", "", "", "", "", "", "", ""]


def _material() -> tuple[list[str], list[str], list[str], list[str]]:
    paragraphs, titles, leads, tags = [], [], [], []
    for line in sample.path().read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        titles.append(rec["title"])
        leads.append(rec["lead"])
        tags.extend(rec["tags"])
        paragraphs.extend(re.sub(r"</?p>", "", p) for p in re.findall(r"<p>.*?</p>", rec["body_html"], re.S)
                          if len(p) > 120)
    return paragraphs, titles, leads, sorted(set(tags)) + EXTRA_TAGS


def _body_chars(rng: random.Random) -> int:
    """In characters; Cyrillic text is ~2 bytes a character in UTF-8."""
    if rng.random() < 0.001:
        return 75_000  # a long read, ~150 KB
    return max(1_500, min(15_000, int(rng.lognormvariate(8.3, 0.5))))  # median e^8.3 ≈ 4,000 ≈ 8 KB


def _image_url(rng: random.Random, when: datetime, slug: str, k: int, size: tuple[int, int], own: bool = True) -> str:
    if own:
        return f"{SITE}/wp-content/uploads/{when:%Y/%m}/{slug}-{k}-{size[0]}x{size[1]}.jpg"
    return f"{rng.choice(OTHER_HOSTS)}/{slug}-{k}.jpg"


def _figure(rng: random.Random, when: datetime, slug: str, k: int, *, large: bool) -> str:
    size = rng.choice(LARGE if large else SMALL)
    own = rng.random() < 0.9
    src = _image_url(rng, when, slug, k, size, own)
    caption = rng.choice(["Фото: Ms-News.Ru", "Фото: пресс-служба", "Фото: соцсети", "Кадр из видео",
                          "Фото: © РИА «Новости»", "Источник: Telegram-канал «Мэр & город»", ""])
    sized = rng.random() < 0.92
    attrs = f' width="{size[0]}" height="{size[1]}"' if sized else ""
    srcset = (f' srcset="{src} {size[0]}w, {src.replace(".jpg", "-300x200.jpg")} 300w"'
              f' sizes="(max-width: {size[0]}px) 100vw, {size[0]}px"') if own and rng.random() < 0.5 else ""
    img = (f'<img decoding="async" loading="lazy"{attrs} src="{src}" alt="{caption}"'
           f' class="wp-image-{rng.randrange(10_000, 99_999)}"{srcset} />')
    cap = f'<figcaption class="wp-element-caption">{caption}</figcaption>' if caption else ""
    if rng.random() < 0.15:  # the classic editor: a bare image in a paragraph
        return f'<p style="text-align: center;">{img}</p>'
    return f'<figure class="wp-block-image size-large">{img}{cap}</figure>'


def _gallery(rng: random.Random, when: datetime, slug: str, k: int) -> str:
    figures = "".join(_figure(rng, when, slug, k * 10 + j, large=rng.random() < 0.7) for j in range(rng.randint(3, 6)))
    return f'<figure class="wp-block-gallery has-nested-images columns-3 is-cropped">{figures}</figure>'


def _table(rng: random.Random) -> str:
    cols = rng.randint(2, 5)
    head = "".join(f"<th>{h}</th>" for h in ["Регион", "2023", "2024", "Изменение, %", "Место"][:cols])
    rows = "".join("<tr>" + "".join(f"<td>{rng.randint(1, 9999):,}</td>".replace(",", "&nbsp;") for _ in range(cols))
                   + "</tr>" for _ in range(rng.randint(2, 12)))
    return (f'<figure class="wp-block-table"><table class="has-fixed-layout"><thead><tr>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table><figcaption>Данные: Росстат</figcaption></figure>')


def _embed(rng: random.Random, i: int) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        vid = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") for _ in range(11))
        return (f'<figure class="wp-block-embed is-type-video is-provider-youtube"><div class="wp-block-embed__wrapper">'
                f'<iframe title="YouTube video player" width="800" height="450" src="https://www.youtube.com/embed/{vid}?feature=oembed"'
                f' frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media" allowfullscreen></iframe>'
                f'</div></figure>')
    if kind == 1:
        return (f'<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="msnewsru/{i % 50_000}"'
                f' data-width="100%"></script>')
    if kind == 2:
        return (f'<div id="vk_post_-12345_{i}"></div><script src="https://vk.com/js/api/openapi.js?169"></script>'
                f'<script type="text/javascript">(function(d, s, id) {{ VK.Widgets.Post("vk_post_-12345_{i}", -12345, {i},'
                f" 'aBcDeF'); }}(document, 'script', 'vk_openapi_js'));</script>")
    return (f'<blockquote class="twitter-tweet"><p lang="ru" dir="ltr">Заявление пресс-службы &mdash; '
            f'<a href="https://t.co/x{i}">pic.twitter.com/x{i}</a></p>&mdash; Ведомство (@agency) '
            f'<a href="https://twitter.com/agency/status/{i}">20 ноября 2025 г.</a></blockquote>'
            f'<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>')


#: Prose that only looks like markup: escaped in the HTML, as an editor types it.
LOOKALIKES = [
    "Исследователи нашли уязвимость: через поле комментария можно было вставить &lt;script&gt; и выполнить код.",
    "Доля импорта упала до &lt;5% — пока 🚀 рано говорить о победе, считают аналитики.",
    "Расходы на R&amp;D выросли вдвое, а условие a &lt; b в формуле оказалось неверным.",
    "Тег &lt;img src=x onerror=alert(1)&gt; в заголовке письма срабатывал в старом почтовом клиенте.",
    "«Мы — за открытость», — заявил представитель компании «Ростех & Co».",
]


def _paragraph(rng: random.Random, text: str, i: int, section: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        text = text.replace(" ", "&nbsp;", 2)
    elif roll < 0.10:
        words = text.split(" ")
        j = rng.randrange(len(words))
        words[j] = f"<strong>{words[j]}</strong>"
        text = " ".join(words)
    elif roll < 0.14:
        text += (f' <a href="/{rng.choice(SECTIONS)}/material-{max(1, i + rng.randint(1, 500))}/">Читайте также</a>')
    elif roll < 0.17:
        text += f' <a href="https://t.me/msnewsru" target="_blank" rel="noopener noreferrer">Telegram-канале</a>'
    elif roll < 0.19:
        text = f'<span style="font-weight: 400;">{text}</span>'
    elif roll < 0.20:
        text = f"<em>{text}</em>"
    return f"<p>{text}</p>"


def _body(rng: random.Random, paragraphs: list[str], i: int, when: datetime, slug: str, section: str) -> str:
    size = _body_chars(rng)
    parts: list[str] = []
    used = 0
    many_images = rng.random() < 0.33
    k = 0
    while used < size:
        p = _paragraph(rng, paragraphs[rng.randrange(len(paragraphs))], i, section)
        parts.append(p)
        used += len(p)
        roll = rng.random()
        if roll < (0.12 if many_images else 0.03):
            k += 1
            parts.append(_figure(rng, when, slug, k, large=rng.random() < 0.75))
        elif roll < 0.14 and rng.random() < 0.08:
            parts.append(f"<h2>{rng.choice(['Что известно', 'Подробности', 'Реакция', 'Контекст', 'Что дальше'])}</h2>")
        elif roll < 0.15 and rng.random() < 0.3:
            parts.append("<ul>" + "".join(f"<li>{paragraphs[rng.randrange(len(paragraphs))][:120]}</li>"
                                          for _ in range(rng.randint(2, 6))) + "</ul>")
        elif roll < 0.16 and rng.random() < 0.3:
            parts.append(f"<blockquote><p>{paragraphs[rng.randrange(len(paragraphs))][:300]}</p></blockquote>")
    extras = rng.random()
    if extras < 0.10:
        parts.insert(rng.randrange(1, len(parts) + 1), _embed(rng, i))
    elif extras < 0.15:
        parts.insert(rng.randrange(1, len(parts) + 1), _table(rng))
    elif extras < 0.18:
        k += 1
        parts.insert(rng.randrange(1, len(parts) + 1), _gallery(rng, when, slug, k))
    elif extras < 0.20:
        parts.insert(rng.randrange(1, len(parts) + 1), f"<p>{rng.choice(LOOKALIKES)}</p>")
    if rng.random() < 0.05:  # a page builder's wrapper
        return '<div class="entry-content"><div class="td-post-content">' + "\n".join(parts) + "</div></div>"
    return "\n".join(parts)


def _title(rng: random.Random, titles: list[str]) -> str:
    title = rng.choice(TITLE_EXTRAS) + titles[rng.randrange(len(titles))]
    roll = rng.random()
    if roll < 0.01:
        title += " &quot;эксклюзив&quot;"  # an entity from a careless export
    elif roll < 0.02:
        title = title.replace("«", "&laquo;").replace("»", "&raquo;")
    elif roll < 0.03:
        title += " 🔥"
    elif roll < 0.035:
        title = "Доля импорта <5%: " + title
    elif roll < 0.04:
        title += " (R&D)"
    return title


def records(n: int, seed: int = 20251125, start_id: int = 1) -> Iterator[dict]:
    """n records, newest first, ids bench-{start_id}…"""
    rng = random.Random(seed)
    paragraphs, titles, leads, tags = _material()
    when = START
    for i in range(start_id, start_id + n):
        gap = rng.expovariate(1 / GAP_S)
        if 0 <= when.hour < 6:
            gap *= 3
        when -= timedelta(seconds=int(gap) + 1)
        section = rng.choices(SECTIONS, SECTION_WEIGHTS)[0]
        slug = f"material-{i}"
        img = None
        if rng.random() < 0.9:
            size = rng.choice(LARGE if rng.random() < 0.85 else SMALL)
            img = {"url": _image_url(rng, when, slug, 0, size, own=rng.random() < 0.97),
                   "type": "image/jpeg", "length": rng.randrange(20_000, 900_000),
                   "width": size[0], "height": size[1],
                   "caption": rng.choice(["Фото: Ms-News.Ru", "Фото: пресс-служба МЧС", "Иллюстрация: Ms-News.Ru",
                                          "Фото: &copy; Ms-News.Ru", ""])}
        status = "publish"
        roll = rng.random()
        if roll < 0.005:
            status = "private"  # unpublished after the fact
        elif roll < 0.008:
            status = "draft"
        updated = None
        if rng.random() < 0.15:
            updated = min(when + timedelta(minutes=rng.randint(5, 60 * 24 * 3)), START).isoformat()
        agency = rng.random() < 0.1
        yield {
            "id": f"bench-{i}",
            "url": f"{SITE}/{section}/{slug}/",
            "title": _title(rng, titles),
            "lead": "" if rng.random() < 0.08 else leads[rng.randrange(len(leads))],
            "body_html": _body(rng, paragraphs, i, when, slug, section),
            "authors": [] if agency else rng.sample(AUTHORS, rng.choice([1, 1, 1, 2])),
            "section": section,
            "tags": rng.sample(tags, rng.randint(1, 5)),
            "published": when.isoformat(),
            "updated": updated,
            "image": img,
            "status": status,
            "adult": section == "proisshestviya" and rng.random() < 0.05,
        }


def write(n: int, out, seed: int = 20251125, start_id: int = 1) -> int:
    """Write n records as JSON Lines to a binary stream; returns bytes written."""
    total = 0
    for rec in records(n, seed, start_id):
        line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
        out.write(line)
        total += len(line)
    return total


if __name__ == "__main__":
    write(int(sys.argv[1]), sys.stdout.buffer, *(int(a) for a in sys.argv[2:3]))
