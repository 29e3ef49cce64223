"""The files beside the feeds: the OPML list, feeds.html for people, and the
stylesheets a browser uses to show a feed. They depend on the config only
(no articles), and building them never imports feedgen."""

from __future__ import annotations

import html

from lxml import etree

from .types import Config, FeedSpec

FEED_XSL = "feed.xsl"
FEED_CSS = "feed.css"
FEEDS_HTML = "feeds.html"
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}


#: Every feed of every format, by section (the import list holds one a section).
FEEDS_ALL_OPML = "feeds-all.opml"
FORMAT_NAMES = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json": "JSON Feed 1.1"}
#: OPML's outline ``version`` (the W3C Feed Validation Service takes RSS,
#: RSS1, RSS2 or scriptingNews only: other formats go without one).
_OPML_VERSIONS = {"rss": "RSS2"}


def import_feed(config: Config, section_slug: str) -> FeedSpec | None:
    """The one feed of a section that the import list offers: RSS 2.0 (every
    reader reads it), full text if there is one, else the first feed."""
    specs = [f for f in config.feeds if f.section.slug == section_slug]
    for want in (lambda f: f.variant.format == "rss" and f.variant.full_text,
                 lambda f: f.variant.format == "rss", lambda f: True):
        for spec in specs:
            if want(spec):
                return spec
    return None


def feed_title(spec: FeedSpec) -> str:
    """A feed's title with its format: every outline of an OPML list is told apart."""
    return f"{spec.title} · {FORMAT_NAMES[spec.variant.format]}"


def build_opml(config: Config) -> bytes:
    """The import list (OPML 2.0): each section once, in one format (RSS 2.0,
    full text), the format in its title — what a reader should subscribe to."""
    specs = [spec for s in config.sections if (spec := import_feed(config, s.slug)) is not None]
    return _opml(config, f"{config.site.name}: ленты RSS по разделам", [(None, specs)])


def build_opml_all(config: Config) -> bytes:
    """Every feed of every format (OPML 2.0), one folder a section."""
    groups = [(s.title, [f for f in config.feeds if f.section.slug == s.slug]) for s in config.sections]
    return _opml(config, f"{config.site.name}: все ленты всех форматов", [(t, specs) for t, specs in groups if specs])


def _opml(config: Config, title: str, groups: list[tuple[str | None, list[FeedSpec]]]) -> bytes:
    """OPML 2.0 with only what the W3C Feed Validation Service knows: head
    title/ownerName/ownerId (no ``docs``), outlines with text, title, type,
    xmlUrl, htmlUrl, language, description and a ``version`` only for RSS."""
    site = config.site
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "ownerName").text = site.name
    etree.SubElement(head, "ownerId").text = site.url
    body = etree.SubElement(root, "body")
    for folder, specs in groups:
        parent = body if folder is None else etree.SubElement(body, "outline", text=folder)
        for spec in specs:
            name = feed_title(spec)
            attrs = dict(type="rss", text=name, title=name, xmlUrl=spec.self_url, htmlUrl=spec.section.url,
                         language=site.language)
            if spec.variant.format in _OPML_VERSIONS:
                attrs["version"] = _OPML_VERSIONS[spec.variant.format]
            attrs["description"] = spec.section.description
            etree.SubElement(parent, "outline", **attrs)
    return etree.tostring(root, pretty_print=True, encoding="UTF-8", xml_declaration=True)


def opml_all_path(config: Config) -> str:
    """Where the full list goes: beside the import list."""
    top = config.opml_path.rpartition("/")[0]
    return f"{top}/{FEEDS_ALL_OPML}" if top else FEEDS_ALL_OPML


def build_feeds_html(config: Config) -> bytes:
    """feeds.html: every feed, by section, for people; with the
    ``<link rel="alternate">`` tags for the site's theme and the reprint condition."""
    from lxml.html import builder as E
    from lxml.html import tostring

    site = config.site
    kinds = {("rss", False): "RSS, анонсы", ("rss", True): "RSS, полный текст",
             ("atom", False): "Atom, анонсы", ("atom", True): "Atom, полный текст",
             ("json", False): "JSON Feed, анонсы", ("json", True): "JSON Feed, полный текст"}
    rows = []
    for section in config.sections:
        specs = [f for f in config.feeds if f.section.slug == section.slug]
        links = []
        for spec in specs:
            kind = kinds.get((spec.variant.format, spec.variant.full_text), spec.variant.name)
            links.append(E.LI(E.A(kind, href=spec.path), " — ", E.CODE(spec.self_url)))
        head_tags = "\n".join(
            f'<link rel="alternate" type="{MEDIA_TYPES[f.variant.format]}" title="{html.escape(f.title)}" href="{f.self_url}">'
            for f in specs if not f.variant.full_text)
        rows.append(E.SECTION(E.H2(E.A(section.title, href=section.url)), E.P(section.description),
                              E.UL(*links), E.DETAILS(E.SUMMARY("Теги для <head> страницы раздела"), E.PRE(head_tags))))
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.META(name="viewport", content="width=device-width, initial-scale=1"),
               E.TITLE(f"{site.name}: ленты новостей"),
               E.STYLE(_FEEDS_CSS)),
        E.BODY(E.MAIN(
            E.H1(f"{site.name}: ленты новостей"),
            E.P("Ленты RSS и Atom позволяют читать новые материалы сайта в программе или сервисе для чтения лент "
                "(Feedly, Inoreader, NetNewsWire, Thunderbird): скопируйте адрес нужной ленты и добавьте его туда. "
                "Список для импорта (по одной ленте RSS 2.0 на раздел): ",
                E.A(config.opml_path.rpartition("/")[2], href=config.opml_path.rpartition("/")[2]),
                "; все ленты всех форматов: ", E.A(FEEDS_ALL_OPML, href=FEEDS_ALL_OPML), "."),
            *rows,
            E.DIV(E.P(E.STRONG("Условия перепечатки. "), site.condition),
                  E.P(E.A("Подробнее об условиях перепечатки", href=site.terms_url)), CLASS="rights"),
        )),
        lang=site.language,
    )
    return b"<!DOCTYPE html>\n" + tostring(page, encoding="utf-8", pretty_print=True)


_FEEDS_CSS = """
body { font: 17px/1.55 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #f6f4ef; margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h2 a { color: #8b1a1a; text-decoration: none; }
code, pre { font-size: 13px; background: #fff; border: 1px solid #ddd; padding: 0 .3em; word-break: break-all; white-space: pre-wrap; }
section { border-top: 1px solid #d8d3c7; padding: .5rem 0; }
.rights { margin-top: 2rem; padding-top: 1rem; border-top: 3px double #bbb; font: 13px/1.5 Arial, sans-serif; color: #444; }
"""


def static_file(name: str) -> bytes:
    """A file of the package's static/ (the feeds' XSLT and CSS)."""
    from importlib import resources

    return resources.files("syndication").joinpath("static", name).read_bytes()
