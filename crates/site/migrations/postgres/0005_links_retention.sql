-- One-time links an administrator hands out so that a person sets their own password (a new
-- account, a reset): only the token's SHA-256 is kept. And how long session reports are kept
-- (days; 0 keeps them).
CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
ALTER TABLE organisation ADD COLUMN retention_days BIGINT NOT NULL DEFAULT 0;
