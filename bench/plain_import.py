"""The import reference: JSON Lines into SQLite with a plain executemany,
no checking, no cleaning, no sanitizing.

    python bench/plain_import.py FILE STORE"""

from __future__ import annotations

import json
import sqlite3
import sys


def main(path: str, store: str) -> None:
    db = sqlite3.connect(store)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS articles (id TEXT PRIMARY KEY, section TEXT, published TEXT, record TEXT)")
    batch = []
    with open(path, "rb") as fh:
        for line in fh:
            rec = json.loads(line)
            batch.append((rec["id"], rec["section"], rec["published"], line.decode("utf-8")))
            if len(batch) == 500:
                db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)", batch)
                db.commit()
                batch.clear()
    db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)", batch)
    db.commit()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
