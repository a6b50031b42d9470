CREATE TABLE IF NOT EXISTS api_credentials (
    key_id         TEXT PRIMARY KEY,
    secret_sha256  BYTEA NOT NULL,
    principal_type TEXT NOT NULL
                   CHECK (principal_type IN ('bank', 'enterprise', 'guarantor', 'operator')),
    principal_id   TEXT NOT NULL,
    scopes         TEXT[] NOT NULL DEFAULT '{}',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at     TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS api_credentials_by_principal
    ON api_credentials (principal_type, principal_id);
-- Databases made before guarantee companies held keys refuse 'guarantor': widen their
-- CHECK, once (the definition then names it; apply_schema runs under an advisory lock).
DO $$ BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conrelid = 'api_credentials'::regclass
          AND conname = 'api_credentials_principal_type_check'
          AND pg_get_constraintdef(oid) LIKE '%''guarantor''%'
    ) THEN
        ALTER TABLE api_credentials DROP CONSTRAINT IF EXISTS api_credentials_principal_type_check;
        ALTER TABLE api_credentials ADD CONSTRAINT api_credentials_principal_type_check
            CHECK (principal_type IN ('bank', 'enterprise', 'guarantor', 'operator'));
    END IF;
END $$;

-- Idempotency-Key per credential: a claim row first (status NULL while in flight),
-- then the stored response. The primary key makes concurrent identical POSTs race
-- on one insert; the loser waits for the stored response.
CREATE TABLE IF NOT EXISTS http_idempotency (
    key_id        TEXT NOT NULL,
    idem_key      TEXT NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 128),
    fingerprint   BYTEA NOT NULL,
    status        INT,
    body          BYTEA,
    claimed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    holds_secret  BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (key_id, idem_key)
);
-- Databases made before answers that carry an API key were marked.
ALTER TABLE http_idempotency ADD COLUMN IF NOT EXISTS holds_secret BOOLEAN NOT NULL DEFAULT false;
-- Few rows carry a secret, so the scrub that runs every minute reads only those.
CREATE INDEX IF NOT EXISTS http_idempotency_secrets ON http_idempotency (claimed_at)
    WHERE holds_secret;

-- A webhook's owner is (owner_type, bank_id): a member institution (bank or guarantee
-- company) or an enterprise, whose ids come from separate registers. The id column keeps
-- its first name so existing databases need no rename.
CREATE TABLE IF NOT EXISTS webhooks (
    webhook_id  TEXT PRIMARY KEY,
    bank_id     TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,  -- needed in clear to sign; the database is the trust boundary
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at  TIMESTAMPTZ,
    owner_type  TEXT NOT NULL DEFAULT 'member' CHECK (owner_type IN ('member', 'enterprise'))
);
-- Databases made before enterprises kept webhooks: every webhook then was a bank's or a
-- guarantee company's, which the default says. Adding a column with a constant default
-- rewrites nothing; the CHECK reads the table once.
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS owner_type TEXT NOT NULL DEFAULT 'member'
    CHECK (owner_type IN ('member', 'enterprise'));
CREATE INDEX IF NOT EXISTS webhooks_by_bank ON webhooks (bank_id) WHERE deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id      BIGSERIAL PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (webhook_id),
    bank_id          TEXT NOT NULL,  -- the webhook's owner id (its type is the webhook's)
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    body             BYTEA NOT NULL,
    status           TEXT NOT NULL DEFAULT 'PENDING'
                     CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         INT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_http_status INT,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ,
    UNIQUE (webhook_id, event_id)  -- a re-consumed Kafka event creates no second delivery
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due
    ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';

-- Addressed banks of each application, so a later withdrawal reaches the same banks.
CREATE TABLE IF NOT EXISTS webhook_application_targets (
    application_id TEXT PRIMARY KEY,
    bank_ids       TEXT[] NOT NULL
);

-- Each bank's decline of an application and the version it made, so a bank's copy of a
-- later event of that application carries the version that bank is shown
-- (g60_gateway.domain.webhooks.version_seen_by).
CREATE TABLE IF NOT EXISTS webhook_application_declines (
    application_id    TEXT NOT NULL,
    bank_id           TEXT NOT NULL,
    aggregate_version BIGINT NOT NULL,
    PRIMARY KEY (application_id, bank_id)
);

-- The public sign-up's token buckets, one per client address, shared by every gateway
-- replica (the per-credential API limit stays in each process: it is on every request).
CREATE TABLE IF NOT EXISTS signup_buckets (
    address     TEXT PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
