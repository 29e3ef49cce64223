"""Content a reader renders: escaped HTML and inline XHTML.

Active content (script, event handlers, javascript: URLs: ``html-active``),
other risky markup (objects, frames, meta, style imports: ``html-risky``)
and relative URLs without a base are warnings: the specs advise against
them (RFC 4287 §8.1), as the W3C service does, without forbidding them. Our
own feeds' profiles make ``html-active`` an error (``rules.OWN_FEEDS_STRICT``):
a reader that shows it runs someone else's code."""

from __future__ import annotations

from lxml import etree

from . import core
from .core import Ctx

SECURITY = "RSS Best Practices Profile §encoding; RFC 4287 §8.1"


def check_html(ctx: Ctx, markup: str, el: etree._Element, name: str, spec: str, *, base: str | None = None) -> None:
    active, risky, relative = core.scan_html(markup)
    for what in active:
        ctx.report("html-active", f"<{name}> contains {what}, which a reader would run", el, SECURITY)
    for what in risky:
        ctx.report("html-risky", f"<{name}> contains {what}", el, SECURITY)
    if relative and not base:
        ctx.report("html-relative-url", f"<{name}> has a relative URL {relative[0]!r} and no base to resolve it",
                 el, f"{spec}; RFC 3986 §5")


_EVENT_PREFIX = "on"
_RISKY = {"script", "embed", "object", "applet", "iframe", "frame", "frameset", "meta", "link", "base", "form", "style"}
_URL_ATTRS = {"href", "src", "action", "formaction", "background", "poster", "data", "{http://www.w3.org/1999/xlink}href"}


_FEED_NAMESPACES = {"http://www.w3.org/2005/Atom", "http://www.w3.org/2007/app"}


def check_xhtml(ctx: Ctx, div: etree._Element, name: str) -> None:
    """Inline XHTML (Atom type="xhtml"): the same dangers, as elements."""
    for el in div.iter():
        if not isinstance(el.tag, str):
            continue
        ns, local = core.qname(el)
        if ns == "":
            ctx.report("xhtml-namespace", f"<{name}> holds <{local}> in no namespace inside its XHTML div "
                       "(an xmlns=\"\" took it out of XHTML)", el, "RFC 4287 §3.1.1.3")
            continue
        if ns in _FEED_NAMESPACES:
            ctx.report("undefined-element", f"<{name}> holds a feed element <{local}> ({ns}) inside its XHTML", el,
                      "RFC 4287 §3.1.1.3")
            continue
        local = local.lower()
        if local == "script":
            ctx.report("html-active", f"<{name}> contains a <script> element", el, SECURITY)
        elif local in _RISKY:
            ctx.report("html-risky", f"<{name}> contains a <{local}> element", el, SECURITY)
        for attr, value in el.attrib.items():
            aname = core.qname_str(attr).lower()
            if aname.startswith(_EVENT_PREFIX) and len(aname) > 2:
                ctx.report("html-active", f"<{name}> has an event-handler attribute {aname}=", el, SECURITY)
            elif attr in _URL_ATTRS:
                url = "".join(value.split()).lower()
                if url.startswith(("javascript:", "vbscript:")):
                    ctx.report("html-active", f"<{name}> has a {url.split(':')[0]}: URL", el, SECURITY)
            elif aname == "style" and ("expression(" in value.lower() or "url(" in value.lower()):
                ctx.report("html-risky", f"<{name}> has a style attribute with {value!r}", el, SECURITY)
