CREATE TABLE IF NOT EXISTS idempotency_keys (
    caller      TEXT NOT NULL,
    request_id  TEXT NOT NULL CHECK (length(request_id) BETWEEN 1 AND 128),
    fingerprint BYTEA NOT NULL,
    response    BYTEA,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, request_id)
);
