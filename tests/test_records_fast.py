"""The import's fast paths give what the full path gives, byte for byte.

Each shortcut in records.py is taken only behind a cheap check; these
properties fuzz that check against the full computation (hypothesis), with
strings built from the characters that matter to it (URL delimiters, escapes,
case, dots, non-ASCII) around realistic shapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication import records

SETTINGS = settings(max_examples=3000, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except ValueError as exc:
        return "error", str(exc)


# --- normalize_url ---------------------------------------------------------------------

URL_CHARS = st.sampled_from(list("aZz09-._~!$&'()*+,;=:@/?#%[] \t\nÀяİ\\\x00\x7f") + ["%2F", "%zz", "%4", ".."])
URL_WORDS = st.sampled_from(["", "ms-news.ru", "xn--e1afmkfd.xn--p1ai", "Ms-News.RU", "a" * 63, "a" * 64,
                             "новости.рф", "127.0.0.1", "[::1]", "host:8080", "user@host", "a..b", ".a", "a.",
                             "wp-content", "uploads", "material-300-1-480x320.jpg", "?resize=1", "#top", "/", "//"])
URL_PIECE = st.one_of(URL_CHARS, URL_WORDS)
URL_TAIL = st.lists(URL_PIECE, max_size=12).map("".join)
URL_HEAD = st.sampled_from(["https://", "http://", "HTTPS://", "hTTp://", "ftp://", "//", "/", "../", "./", "",
                            "https://ms-news.ru/", "https://ms-news.ru", "http://a.b/", " https://ms-news.ru/",
                            "javascript:", "mailto:", "https:/", "https:///"])
#: Close to the normal form, so the fast path's check is met about half the time.
GOOD_CHARS = st.sampled_from(list("az09-._~!$&'()*+,=:@/?") + ["%2F", "%d0", "/a", "?q=1", "material-760"])
BAD_CHARS = st.sampled_from(list(";#%[] \tAZяİ\\") + ["/./", "/../", "/.", "//", "%4", "..", "?"])
NEAR_PATH = st.lists(st.one_of(GOOD_CHARS, GOOD_CHARS, GOOD_CHARS, GOOD_CHARS, GOOD_CHARS, GOOD_CHARS, BAD_CHARS),
                     max_size=10).map("".join)
HOSTS = st.lists(st.sampled_from(["ms-news", "ru", "www", "a" * 63, "a" * 64, "xn--p1ai", "-", "1", "", "B", "я"]),
                 min_size=1, max_size=4).map(".".join)
NEAR_URLS = st.one_of(
    st.builds(lambda scheme, host, path: f"{scheme}://{host}/{path}", st.sampled_from(["https", "http", "HTTP"]),
              HOSTS, NEAR_PATH),
    st.builds(lambda path: "/" + path, NEAR_PATH))
URLS = st.one_of(st.builds(lambda head, tail: head + tail, URL_HEAD, URL_TAIL), NEAR_URLS)
BASES = st.one_of(st.none(), st.sampled_from(["https://ms-news.ru/stati/elektromobili/", "https://ms-news.ru/a/b",
                                              "http://ms-news.ru/", "https://ms-news.ru/x/?q=1",
                                              "https://xn--e1afmkfd.xn--p1ai:8443/a/", "https://[::1]/a/"]), URLS, NEAR_URLS)


@SETTINGS
@given(URLS, BASES)
def test_normalize_url_fast_path_is_the_full_path(value, base):
    assert _outcome(records.normalize_url, value, base) == _outcome(records._normalize_url, value, base)


def test_normalize_url_fast_path_examples():
    base = "https://ms-news.ru/stati/elektromobili/"
    for value in ["https://ms-news.ru/wp-content/uploads/2025/11/material-300-1-480x320.jpg",
                  "https://telegram.org/js/telegram-widget.js?22", "https://www.youtube.com/embed/x?feature=oembed",
                  "/novosti/material-760/", "/a/%D0%B0?b=c&d=e", "../v-rossii/x/", "https://ms-news.ru",
                  "https://ms-news.ru/a?", "https://ms-news.ru/a;b", "/./a", "/a/../b", "//cdn.ms-news.ru/a",
                  "https://MS-news.ru/a", "https://ms-news.ru/a#b", "/a b", "https://ms-news.ru/%zz"]:
        assert _outcome(records.normalize_url, value, base) == _outcome(records._normalize_url, value, base), value
        assert _outcome(records.normalize_url, value) == _outcome(records._normalize_url, value, None), value


@SETTINGS
@given(NEAR_URLS, st.one_of(st.none(), st.sampled_from(["https://ms-news.ru/stati/elektromobili/",
                                                        "http://ms-news.ru/a?b"]), NEAR_URLS))
def test_normalize_url_near_the_normal_form(value, base):
    assert _outcome(records.normalize_url, value, base) == _outcome(records._normalize_url, value, base)


# --- markup_bound --------------------------------------------------------------------

MARKUP = st.sampled_from([
    "<p>", "</p>", "<b>", "</b>", "<i>", "<a href=\"/x\">", "</a>", "<div>", "</div>", "<li>", "<ul>", "<td>",
    "<table>", "<br>", "<br/>", "<img src=x>", "<p/>", "<B>", "<A HREF=x>", "<b class=\"x>y\">", "<b x='<p>'>",
    "<!--", "-->", "<!-- x -->", "<script>", "</script>", "<SCRİPT>", "<ſcript>", "<style>", "</STYLE>",
    "<textarea>", "<title>", "<noscript>", "<iframe src=x>", "<plaintext>", "<xmp>", "</scripts>",
    "&amp;", "&", "&#1;", "<", ">", "< b", "<5%", "</", "</ b>", "<a", "\"", "'", "=", " ", "/", "\n",
    "текст", "a", "<a " + "x " * 300 + ">", "<a " + "x=\"\"" * 300 + ">", "<a title=\"" + "y" * 1100 + "\">",
    "<a " + "x " * 200 + ">", "<p " + "&" * 3 + ">", "&" * 50, "<script>x</script>", "<iframe src=x></iframe>",
    "<Script>a</sCRIPT>", "<title>x</title>", "</script><b>", "<script x='>'>",
])
MARKUP_VALUES = st.lists(MARKUP, max_size=40).map("".join)
LIMITS = st.builds(lambda depth, reopen: records.ContentLimits(max_depth=depth, max_reopen=reopen),
                   st.integers(0, 12), st.integers(0, 40))


@SETTINGS
@given(MARKUP_VALUES, st.one_of(st.just(records.ContentLimits()), LIMITS))
def test_markup_bound_shortcut_only_when_the_scan_finds_nothing(value, limits):
    if records._within_bounds(value, value.count("<"), value.count("&"), limits):
        assert records._scan(value, limits) is None


def test_markup_bound_shortcut_is_taken_and_refused():
    limits = records.ContentLimits()
    body = "<p>Текст <a href=\"/x\">ссылка</a> &amp; <b>ещё</b></p>" * 20
    for value in [body, body + "<script async src=\"x\">f(d, 'script');</script>", body + "<IFRAME src=x></iframe>"]:
        assert records._within_bounds(value, value.count("<"), value.count("&"), limits)
    for value in ["<p>" * 300, body + "<script>a<b</script>", body + "<script", body + "<!-- x -->",
                  "<a " + "x " * 600 + ">", "&amp;" * 2001 + "<p>"]:
        assert not records._within_bounds(value, value.count("<"), value.count("&"), limits)
    deep = "<div>" * 257
    assert records.markup_bound(deep, 10**6, limits) and records._scan(deep, limits)


# --- clean_text and _after_html: the scan that finds nothing to remove -----------------------

def _clean_text_full(value):
    m = records._SURROGATE.search(value)
    if m:
        raise ValueError(f"lone surrogate U+{ord(m.group()):04X} at character {m.start()}")
    return records.unicodedata.normalize("NFC", records._CONTROL.sub("", value))


def _after_html_full(text):
    return records.unicodedata.normalize("NFC", records._SURROGATE.sub("", records._CONTROL.sub("", text)))


TEXT = st.lists(st.one_of(st.sampled_from(["a", " ", "\t", "\n", "\r", "\x00", "\x07", "\x1f", "\x7f", "\x85", "\x9f",
                                           "\xa0", "\ufffe", "\uffff", "\ud800", "\udfff", "e\u0301", "\u0301", "é",
                                           "Ё", "\u212b", "ﬁ", "🚀", "\U0001d11e", "&amp;", "<b>"]),
                          st.text(max_size=3)), max_size=20).map("".join)


@SETTINGS
@given(TEXT)
def test_clean_text_is_the_full_cleaning(value):
    assert _outcome(records.clean_text, value) == _outcome(_clean_text_full, value)
    assert records._after_html(value) == _after_html_full(value)


# --- nh3: the cleaners built once clean as nh3.clean with the same options -------------------

HTML = st.lists(st.one_of(MARKUP, st.sampled_from([
    "<a href=\"../x/\">", "<a href=\"javascript:alert(1)\">", "<a href=\"mailto:a@b\">", "<img src=\"/i.jpg\" alt=\"a &amp; <b>b</b>\">",
    "<img src=\"data:x\" onerror=\"x\">", "<q cite=\"https://Ms-News.ru/a b\">", "<span style=\"x\">", "<svg><a href=x>",
    "<figure class=\"wp\">", "<td colspan=2>", "<ol start=3>", "<abbr title=\"&lt;x&gt;\">", "<blockquote cite=//x>"]),
    TEXT), max_size=30).map(lambda parts: records._SURROGATE.sub("", "".join(parts)))  # as clean_text leaves it


@SETTINGS
@given(HTML)
def test_cleaners_built_once_are_nh3_clean(fragment):
    import nh3

    if records._sanitizer is not None:
        records._base.url = "https://ms-news.ru/stati/x/"
        try:
            assert records._sanitizer.clean(fragment) == nh3.clean(fragment, **records._SANITIZE)
        finally:
            records._base.url = None
    assert records._text_only(fragment) == nh3.clean(fragment, tags=set(), strip_comments=True)


@SETTINGS
@given(TEXT, st.integers(0, 200))
def test_markup_bound_size_is_the_utf8_size(value, max_bytes):
    size = len(value.encode("utf-8", "surrogatepass"))
    why = records.markup_bound(value, max_bytes, records.ContentLimits())
    assert (why == f"{size} bytes: more than the {max_bytes} allowed") == (size > max_bytes)


def test_markup_bound_shortcut_stays_linear_on_tags_inside_tags():
    import time

    limits = records.ContentLimits()
    tail = "a" * 4_000_000
    for value in ["<script x=" + "<script" * 250 + tail + ">", "<script x=" + "<script " * 250 + tail + ">",
                  "<title x='" + "<title>" * 250 + tail]:
        start = time.perf_counter()
        assert records.markup_bound(value, 5 * 1024 * 1024, limits) is None
        assert time.perf_counter() - start < 2  # read once or twice: ~0.05 s (250 times: ~16 s)
