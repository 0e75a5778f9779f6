-- Sign-ins to the site's pages: the cookie's token (only its SHA-256), the account, the form
-- token every page's forms carry (CSRF), and until when.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
