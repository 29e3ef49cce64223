"""Where records come from: the store (SQLite) and JSON Lines files.
(The WordPress and page fetchers join here.)"""
