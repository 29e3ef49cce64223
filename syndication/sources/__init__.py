"""Where records come from: JSON Lines files (jsonl), the site's WordPress
REST API (wordpress) and its article pages (pages). They write the store
(syndication/store.py); their HTTP goes through syndication/http.py."""
