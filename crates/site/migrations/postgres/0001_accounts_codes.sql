-- The organisation, its signing keys, its accounts, their sign-in tokens, short codes, the
-- attempts counted against guessing, and the audit log. Times are seconds since the Unix epoch.
CREATE TABLE organisation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    site_address TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE org_keys (
    id BIGSERIAL PRIMARY KEY,
    secret BYTEA NOT NULL,
    public_key BYTEA NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('current', 'next', 'retired')),
    created_at BIGINT NOT NULL
);
CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'csr')),
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE short_codes (
    code TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    invite TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE attempts (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX attempts_by_key ON attempts (kind, key, at);
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    account_id BIGINT REFERENCES accounts (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
-- Append-only: no row of the audit log is ever changed or removed.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
