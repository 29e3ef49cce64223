"""Bundled sample articles: realistic Russian-language articles written for
the project in the manner of Ms-News.Ru, for ``syndication build --sample``."""

from importlib import resources
from pathlib import Path


def path() -> Path:
    return Path(str(resources.files(__name__).joinpath("articles.jsonl")))
