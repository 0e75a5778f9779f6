-- The team's relays (their URLs, one per line) and the token they admit, which the consoles
-- name in their invites.
ALTER TABLE organisation ADD COLUMN relays TEXT NOT NULL DEFAULT '';
ALTER TABLE organisation ADD COLUMN relay_token TEXT NOT NULL DEFAULT '';
