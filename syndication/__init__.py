"""syndication: Ms-News.Ru's articles as RSS 2.0 and Atom 1.0 feeds that carry
the site's reprint condition.

records → section filters → feedgen builders → reprint condition → check →
atomic publish. See README.md."""

__version__ = "0.1.0"
