-- The sessions' reports the consoles send when a session ended: one row per session and console
-- account (a session handed over is reported by each CSR who hosted it), the columns a search
-- looks at, and the whole report as the console sent it (JSON, checked before it was stored).
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    csr_name TEXT NOT NULL,
    session_type TEXT NOT NULL,
    tracking_code TEXT NOT NULL,
    customers TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    ended_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX reports_by_session ON reports (uid, account_id);
CREATE INDEX reports_by_start ON reports (started_ms);
