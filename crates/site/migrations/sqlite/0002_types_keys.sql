-- Session types and what each allows (one bit per tool, deskside_proto::cert::Tools), and when a
-- signing key was retired (its certificates are still believed until they expire).
CREATE TABLE session_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    tracking_required INTEGER NOT NULL DEFAULT 0,
    tools INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX session_types_by_name ON session_types (name) WHERE archived = 0;
ALTER TABLE org_keys ADD COLUMN retired_at INTEGER;
