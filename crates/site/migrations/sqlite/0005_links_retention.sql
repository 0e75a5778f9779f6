-- One-time links an administrator hands out so that a person sets their own password (a new
-- account, a reset): only the token's SHA-256 is kept. And how long session reports are kept
-- (days; 0 keeps them).
CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
ALTER TABLE organisation ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 0;
