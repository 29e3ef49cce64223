"""The files beside the feeds: the OPML list, feeds.html for people, and the
stylesheets a browser uses to show a feed. They depend on the config only
(no articles), and building them never imports feedgen."""

from __future__ import annotations

import html

from lxml import etree

from .types import Config

FEED_XSL = "feed.xsl"
FEED_CSS = "feed.css"
FEEDS_HTML = "feeds.html"
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}


def build_opml(config: Config) -> bytes:
    """OPML 2.0 listing every feed (title, type, xmlUrl, htmlUrl)."""
    site = config.site
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.name}: ленты RSS и Atom"
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for spec in config.feeds:
        etree.SubElement(
            body, "outline", type="rss", text=spec.title, title=spec.title,
            xmlUrl=spec.self_url, htmlUrl=spec.section.url, language=site.language,
            version={"rss": "RSS2", "atom": "ATOM1", "json": "JSONFeed1.1"}[spec.variant.format],
            description=spec.section.description,
        )
    return etree.tostring(root, pretty_print=True, encoding="UTF-8", xml_declaration=True)


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
                "Полный список для импорта: ", E.A("feeds.opml", href=config.opml_path), "."),
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
