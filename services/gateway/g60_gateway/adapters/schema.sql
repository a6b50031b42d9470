CREATE TABLE IF NOT EXISTS api_credentials (
    key_id         TEXT PRIMARY KEY,
    secret_sha256  BYTEA NOT NULL,
    principal_type TEXT NOT NULL CHECK (principal_type IN ('bank', 'enterprise', 'operator')),
    principal_id   TEXT NOT NULL,
    scopes         TEXT[] NOT NULL DEFAULT '{}',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at     TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS api_credentials_by_principal
    ON api_credentials (principal_type, principal_id);
