"""Every problem code the specification checks can report, with its one
level and the clause that defines it (``syndication validate --rules``).

The level follows the kind of rule, as the W3C Feed Validation Service
grades the same finding (its message class is named where there is one):
a MUST of the specification or a schema constraint is an ``error``; a
SHOULD, a best practice or a security advisory is a ``warning``. A check
reports a code with ``Ctx.report(code, ...)`` and never chooses the level
itself; a profile (our reprint policy, a partner's) may make some warnings
errors for the feeds it gates (``OWN_FEEDS_STRICT``).

One line per code: (code, level, W3C message class or "", clause)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    #: "error" (a MUST or schema rule) or "warning" (SHOULD, best practice, security advisory).
    level: str
    #: The W3C feedvalidator message class for the same finding ("" when it has none).
    w3c: str
    #: The rule's source: specification and clause.
    clause: str


E, W = "error", "warning"
_TABLE: tuple[tuple[str, str, str, str], ...] = (
    # --- the document -------------------------------------------------------------
    ("too-large", E, "ValidatorLimit", "syndication validator limits (size, depth, count)"),
    ("xml-malformed", E, "SAXError", "XML 1.0 §2.1 (well-formed documents)"),
    ("xml-encoding", E, "UnicodeError", "XML 1.0 §4.3.3 (character encoding)"),
    ("xml-version", E, "BadXmlVersion", "XML 1.0 §2.8 (feeds are XML 1.0)"),
    ("xml-entity-declaration", E, "", "XML 1.0 §4.2; refused: entity expansion and external entities"),
    ("xml-external-dtd", E, "InvalidDoctype", "XML 1.0 §2.8; refused: external DTDs are never loaded"),
    ("xml-doctype-deprecated", E, "DeprecatedDTD", "RSS 0.91 (Netscape's DTD is gone)"),
    ("xml-doctype-version", E, "InvalidDoctype", "RSS 0.91 DOCTYPE vs version"),
    ("xinclude", E, "", "XInclude 1.0; refused: feeds are never XInclude-processed"),
    ("format-unknown", E, "", "RSS 2.0; RFC 4287 §4.1.1; JSON Feed 1.1 (root element)"),
    ("rss-version", E, "InvalidRSSVersion", "RSS 2.0 <rss version>"),
    ("atom-obsolete", E, "ObsoleteNamespace", "RFC 4287 §1.2 (Atom 0.3 namespace)"),
    ("namespace-wrong", E, "InvalidNamespace", "Namespaces in XML; RFC 4287 §1.2"),
    ("namespace-missing", E, "MissingNamespace", "RFC 4287 §1.2 (Atom namespace)"),
    ("no-namespace", W, "UndeterminableVocabulary", "RFC 4287 §6.2 (foreign markup)"),
    # --- structure (schema) -----------------------------------------------------------
    ("missing-element", E, "MissingElement", "the element's parent in its specification (required children)"),
    ("undefined-element", E, "UndefinedElement", "the parent's specification (allowed children)"),
    ("duplicate-element", E, "DuplicateElement", "the parent's specification (elements allowed once)"),
    ("missing-attribute", E, "MissingAttribute", "the element's specification (required attributes)"),
    ("unexpected-attribute", E, "UnexpectedAttribute", "the element's specification (allowed attributes)"),
    ("invalid-attribute", E, "InvalidValue", "the element's specification (attribute values)"),
    ("invalid-value", E, "InvalidValue", "the element's specification (element values)"),
    ("unexpected-text", E, "UnexpectedText", "the element's specification (element-only content)"),
    ("unexpected-whitespace", E, "UnexpectedWhitespace", "RFC 4287 §3.3, §4.2.6, §3.2 (no whitespace in values)"),
    ("misplaced-metadata", E, "MisplacedMetadata", "RFC 4287 §4.1.1 (feed metadata before entries)"),
    ("blank", W, "NotBlank", "RSS Best Practices Profile (elements should not be empty)"),
    ("attr-blank", W, "AttrNotBlank", "RFC 4287 §4.2.7 (attributes should not be blank)"),
    # --- datatypes ----------------------------------------------------------------------
    ("invalid-url", E, "InvalidFullLink", "RFC 3986 §4.3 (absolute URI)"),
    ("uri-not-iri", E, "UriNotIri", "RSS 2.0 (URLs are RFC 2396 URIs: non-ASCII must be %-encoded)"),
    ("uri-percent", W, "", "RFC 3986 §2.1 (a '%' starts two hex digits; readers take a bare one as itself)"),
    ("iri-char", E, "InvalidUriChar", "RFC 3987 §2.2 (IRI characters)"),
    ("iri-not-absolute", E, "InvalidFullLink", "RFC 3987 §2.2 (absolute IRI)"),
    ("iri-syntax", E, "InvalidIRI", "RFC 3987 §2.2; RFC 3986 §3"),
    ("tag-uri", E, "InvalidTAG", "RFC 4151 §2.1 (tag: URI syntax)"),
    ("uuid-urn", E, "InvalidUUID", "RFC 4122 §3 (urn:uuid syntax)"),
    ("urn", E, "InvalidURN", "RFC 8141 §2 (URN syntax)"),
    ("xml-base", E, "InvalidIRI", "XML Base §3; RFC 4287 §2"),
    ("language", E, "InvalidLanguage", "RFC 3066 / BCP 47; ISO 639"),
    ("rfc822-date", E, "InvalidRFC2822Date", "RSS 2.0 (dates are RFC 822 date-times); RFC 822 §5"),
    ("rfc822-weekday", E, "IncorrectDOW", "RFC 822 §5.1 (the day of the week must match)"),
    ("rfc822-date-form", W, "ProblematicalRFC822Date", "RSS Best Practices Profile; RFC 2822 §3.3 (comments, "
     "two-digit years, odd zones)"),
    ("rfc3339-date", E, "InvalidRFC3339Date", "RFC 4287 §3.3; RFC 3339 §5.6"),
    ("dc-date", E, "InvalidW3CDTFDate", "Dublin Core date (W3C-DTF)"),
    ("invalid-contact", E, "InvalidContact", "RSS 2.0 (e-mail address of a person)"),
    ("invalid-email", E, "InvalidAddrSpec", "RFC 4287 §3.2.3; RFC 2822 §3.4.1 (addr-spec)"),
    ("email-simple-domain", W, "UnknownHost", "RFC 2822 §3.4.1 (a domain without dots reaches no one outside)"),
    ("contact-form", W, "EmailFormat", "RSS Best Practices Profile (address (Name))"),
    # --- RSS ----------------------------------------------------------------------------
    ("item-empty", E, "ItemMustContainTitleOrDescription", "RSS 2.0 <item> (title or description)"),
    ("invalid-ttl", E, "InvalidInteger", "RSS 2.0 <ttl>"),
    ("guid-permalink", E, "InvalidHttpGUID", "RSS 2.0 <guid isPermaLink>"),
    ("duplicate-guid", E, "DuplicateValue", "RSS 2.0 <guid> (uniquely identifies the item)"),
    ("duplicate-value", E, "DuplicateValue", "RSS 2.0 <skipHours>/<skipDays>; RSS 1.0 rdf:about"),
    ("image-width", E, "InvalidWidth", "RSS 2.0 <image><width> (≤ 144)"),
    ("image-height", E, "InvalidHeight", "RSS 2.0 <image><height> (≤ 400)"),
    ("image-title", W, "ImageTitleDoesntMatch", "RSS Best Practices Profile <image>"),
    ("skip-hour", E, "InvalidHour", "RSS 2.0 <skipHours>"),
    ("skip-day", E, "InvalidDay", "RSS 2.0 <skipDays>"),
    ("textinput-name", E, "InvalidFormComponentName", "RSS 2.0 <textInput><name>"),
    ("missing-guid", W, "MissingGuid", "RSS Best Practices Profile <guid>"),
    ("duplicate-enclosure", W, "DuplicateEnclosure", "RSS Best Practices Profile <enclosure>"),
    ("duplicate-semantics", W, "DuplicateSemantics", "RSS Best Practices Profile (one element per meaning)"),
    ("rdf-mixed", E, "InvalidRDF", "RSS 1.0 §5 (RDF/XML: values are literals or resources)"),
    ("rdf-resource", E, "InvalidRDF", "RSS 1.0 §5.3.5, §5.5 (rdf:resource / rdf:li)"),
    # --- Atom ---------------------------------------------------------------------------
    ("missing-author", E, "MissingElement", "RFC 4287 §4.1.2 (atom:author)"),
    ("missing-content-or-alternate", E, "MissingContentOrAlternate", "RFC 4287 §4.1.2"),
    ("missing-summary", E, "MissingSummary", "RFC 4287 §4.1.2 (summary with out-of-line or base64 content)"),
    ("missing-text", W, "MissingTextualContent", "RFC 4287 §4.1.2 (entries should have text)"),
    ("missing-self", W, "MissingSelf", "RFC 4287 §4.1.1; RSS Best Practices Profile atom:link"),
    ("self-relative", W, "RelativeSelf", "RFC 4287 §4.2.7.2 (rel=self should say where the feed is, absolutely)"),
    ("self-mismatch", W, "SelfDoesntMatchLocation", "RFC 4287 §4.2.7.2 (rel=self should be the feed's address)"),
    ("duplicate-entry", W, "DuplicateEntries", "RFC 4287 §4.1.1 (same atom:id SHOULD differ in updated)"),
    ("duplicate-id", E, "DuplicateValue", "JSON Feed 1.1 items.id (unique in the feed)"),
    ("duplicate-alternate", E, "DuplicateAtomLink", "RFC 4287 §4.1.1 (one alternate per type and hreflang)"),
    ("text-type", E, "InvalidTextType", "RFC 4287 §3.1.1"),
    ("xhtml-div", E, "MissingXhtmlDiv", "RFC 4287 §3.1.1.3 (one XHTML div)"),
    ("xhtml-namespace", E, "MissingNamespace", "RFC 4287 §3.1.1.3 (XHTML content is in the XHTML namespace)"),
    ("content-type", E, "InvalidMIMEType", "RFC 4287 §4.1.3.1"),
    ("content-xml", E, "InvalidContentMode", "RFC 4287 §4.1.3.3"),
    ("content-not-empty", E, "NotBlank", "RFC 4287 §4.1.3.2 (content with src is empty)"),
    ("not-base64", E, "NotBase64", "RFC 4287 §4.1.3.3"),
    ("link-rel", W, "UnregisteredAtomLinkRel", "RFC 4287 §4.2.7.2; IANA link relations"),
    ("link-type", E, "InvalidMIMEType", "RFC 4287 §4.2.7.3"),
    ("link-length", E, "InvalidNonNegativeInteger", "RFC 4287 §4.2.7.6"),
    ("link-not-empty", W, "AtomLinkNotEmpty", "RFC 4287 §4.2.7 (atom:link is empty)"),
    ("source-incomplete", W, "MissingSourceElement", "RFC 4287 §4.2.11"),
    ("paging-rel-in-entry", W, "FeedHistoryRelInEntry", "RFC 5005 §3"),
    ("thr-attribute", E, "InvalidValue", "RFC 4685 §4"),
    ("fh-complete-current", E, "CurrentNotSelfInCompleteFeed", "RFC 5005 §2"),
    ("fh-complete-paging", E, "FeedRelInCompleteFeed", "RFC 5005 §2"),
    ("fh-past-end", E, "LinkPastEnd", "RFC 5005 §3"),
    ("fh-not-empty", E, "UnexpectedText", "RFC 5005 §2, §4 (fh:complete, fh:archive are empty)"),
    # --- content a reader renders ---------------------------------------------------------
    ("html-active", W, "SecurityRisk", "RFC 4287 §8.1; RSS Best Practices Profile (script, event handlers, "
     "javascript: URLs: a security advisory)"),
    ("html-risky", W, "SecurityRisk", "RFC 4287 §8.1 (embedded objects, frames, meta, style imports)"),
    ("html-relative-url", W, "ContainsRelRef", "RFC 3986 §5 (relative URL without a base)"),
    # --- extensions ---------------------------------------------------------------------
    ("itunes-category", E, "InvalidItunesCategory", "Apple Podcasts RSS tags <itunes:category>"),
    ("itunes-category-old", W, "ObsoleteItunesCategory", "Apple Podcasts RSS tags (obsolete category list)"),
    ("itunes-duration", E, "InvalidDuration", "Apple Podcasts RSS tags <itunes:duration>"),
    ("itunes-episode-type", E, "InvalidItunesEpisodeType", "Apple Podcasts RSS tags <itunes:episodeType>"),
    ("itunes-explicit", E, "InvalidTrueFalse", "Apple Podcasts RSS tags <itunes:explicit>"),
    ("itunes-image", E, "InvalidURLAttribute", "Apple Podcasts RSS tags <itunes:image href>"),
    ("itunes-number", E, "InvalidPositiveInteger", "Apple Podcasts RSS tags <itunes:episode>, <itunes:season>"),
    ("itunes-too-long", E, "TooLong", "Apple Podcasts RSS tags (length limits)"),
    ("itunes-keywords", W, "InvalidKeywords", "Apple Podcasts RSS tags <itunes:keywords> (comma-separated)"),
    ("itunes-type", E, "InvalidItunesChannelType", "Apple Podcasts RSS tags <itunes:type>"),
    ("itunes-url", E, "InvalidFullLink", "Apple Podcasts RSS tags <itunes:new-feed-url>"),
    ("itunes-yes-no", E, "InvalidYesNoClean", "Apple Podcasts RSS tags <itunes:block>, <itunes:complete>"),
    ("media-attribute", E, "InvalidValue", "Media RSS (attribute datatypes)"),
    ("media-country", E, "InvalidCountryCode", "Media RSS <media:restriction type=country>; ISO 3166"),
    ("media-credit-role", E, "InvalidCreditRole", "Media RSS <media:credit role> (EBU roles)"),
    ("media-group", E, "MediaGroupWithoutAlternatives", "Media RSS <media:group>"),
    ("media-hash", E, "InvalidMediaHash", "Media RSS <media:hash>"),
    ("media-rating", E, "InvalidMediaRating", "Media RSS <media:rating>"),
    ("media-restriction", E, "InvalidMediaRestriction", "Media RSS <media:restriction>"),
    ("media-text-type", E, "InvalidMediaTextType", "Media RSS <media:title>, <media:description>, <media:text>"),
    ("media-adult", W, "DeprecatedMediaAdult", "Media RSS <media:adult> (deprecated)"),
    ("sy-period", E, "InvalidUpdatePeriod", "RSS syndication module sy:updatePeriod"),
    ("sy-frequency", E, "InvalidPositiveInteger", "RSS syndication module sy:updateFrequency"),
    ("sy-base", E, "InvalidW3CDTFDate", "RSS syndication module sy:updateBase"),
    ("slash-comments", E, "InvalidNonNegativeInteger", "Slash module slash:comments"),
    ("slash-hit-parade", E, "InvalidCommaSeparatedIntegers", "Slash module slash:hit_parade"),
    ("georss-point", E, "InvalidCoord", "GeoRSS Simple georss:point"),
    ("georss-line", E, "InvalidCoordList", "GeoRSS Simple georss:line"),
    ("georss-polygon", E, "InvalidCoordList", "GeoRSS Simple georss:polygon"),
    ("georss-box", E, "InvalidCoordList", "GeoRSS Simple georss:box"),
    ("georss-elev", E, "InvalidFloat", "GeoRSS Simple georss:elev"),
    ("georss-floor", E, "InvalidInteger", "GeoRSS Simple georss:floor"),
    ("georss-radius", E, "InvalidFloat", "GeoRSS Simple georss:radius"),
    ("geo-lat", E, "InvalidLatitude", "W3C Basic Geo / GeoURL / ICBM latitude (-90…90)"),
    ("geo-long", E, "InvalidLongitude", "W3C Basic Geo / GeoURL / ICBM longitude (-180…180)"),
    ("geo-alt", E, "InvalidFloat", "W3C Basic Geo alt"),
    ("thr-total", E, "InvalidNonNegativeInteger", "RFC 4685 §5 thr:total"),
    ("yandex-genre", E, "", "Yandex RSS yandex:genre"),
    ("yandex-logo", E, "InvalidFullLink", "Yandex RSS yandex:logo"),
    ("wfw-comment", E, "InvalidFullLink", "Well-Formed Web CommentAPI"),
    ("cc-license", E, "InvalidFullLink", "Creative Commons RSS module cc:license"),
    ("app-draft", E, "InvalidValue", "RFC 5023 §13.1.1 app:draft"),
    # --- JSON Feed ------------------------------------------------------------------------
    ("json-malformed", E, "", "RFC 8259 §2 (JSON text)"),
    ("json-encoding", E, "", "JSON Feed 1.1; RFC 8259 §8.1 (UTF-8)"),
    ("json-too-deep", E, "", "RFC 8259 §9 (limits on nesting); syndication validator limits"),
    ("json-too-large", E, "", "RFC 8259 §9 (limits on size and count); syndication validator limits"),
    ("json-version", E, "", "JSON Feed 1.1 version"),
    ("json-version-old", W, "", "JSON Feed 1.1 version (1.0 is superseded)"),
    ("json-type", E, "", "JSON Feed 1.1 (member types)"),
    ("json-missing", E, "", "JSON Feed 1.1 (required members)"),
    ("json-unknown-key", E, "", "JSON Feed 1.1 extensions (begin with '_')"),
    ("json-url", E, "", "JSON Feed 1.1 (URLs)"),
    ("json-feed-url", W, "", "JSON Feed 1.1 feed_url (strongly recommended)"),
    ("json-author", E, "", "JSON Feed 1.1 authors (name, url or avatar)"),
    ("json-author-old", W, "", "JSON Feed 1.1 author (deprecated for authors)"),
    ("json-hub", E, "", "JSON Feed 1.1 hubs"),
    ("json-id", E, "", "JSON Feed 1.1 items.id"),
    ("json-mime", E, "", "JSON Feed 1.1 attachments.mime_type"),
)

#: code → its rule. The one place a level is decided.
CODES: dict[str, Code] = {row[0]: Code(*row) for row in _TABLE}

#: Warnings that our own feeds' gate treats as errors: things we never
#: publish (script in our content, a rel="self" that is not where the feed
#: is published, two entries with one id, a relation we did not mean, a date
#: or address in a form readers parse badly). The reprint and partner
#: profiles escalate them; the generic verdict keeps the specs' level.
OWN_FEEDS_STRICT = frozenset({
    "html-active", "self-mismatch", "duplicate-entry", "link-rel", "rfc822-date-form", "email-simple-domain",
    "itunes-category-old", "json-version-old", "json-author-old", "attr-blank", "uri-percent", "self-relative",
})


def level(code: str) -> str:
    return CODES[code].level


def table() -> list[Code]:
    """Every code, sorted by level (errors first) then code."""
    return sorted(CODES.values(), key=lambda c: (c.level != E, c.code))


def render(rows: list[Code] | None = None) -> str:
    """The table as text (``syndication validate --rules``)."""
    rows = table() if rows is None else rows
    width = max(len(c.code) for c in rows)
    w3c = max(len(c.w3c) for c in rows)
    lines = [f"{'code':<{width}}  {'level':<7}  {'W3C class':<{w3c}}  clause"]
    for c in rows:
        lines.append(f"{c.code:<{width}}  {c.level:<7}  {c.w3c or '-':<{w3c}}  {c.clause}")
    errors = sum(1 for c in rows if c.level == E)
    lines.append(f"{len(rows)} codes: {errors} errors, {len(rows) - errors} warnings")
    return "\n".join(lines)
