-- Session types and what each allows (one bit per tool, deskside_proto::cert::Tools), and when a
-- signing key was retired (its certificates are still believed until they expire).
CREATE TABLE session_types (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    tracking_required BIGINT NOT NULL DEFAULT 0,
    tools BIGINT NOT NULL,
    archived BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX session_types_by_name ON session_types (name) WHERE archived = 0;
ALTER TABLE org_keys ADD COLUMN retired_at BIGINT;
