-- Shared by every service that publishes events. Applied with CREATE ... IF NOT EXISTS.
-- Rows are written once and never updated: which rows a relay batch carries is
-- recorded per batch in outbox_batches (two snapshots and an id range), not per row.
CREATE TABLE IF NOT EXISTS outbox (
    outbox_id         BIGSERIAL PRIMARY KEY,
    event_id          UUID NOT NULL UNIQUE,
    topic             TEXT NOT NULL,
    message_key       TEXT NOT NULL,
    aggregate_type    TEXT NOT NULL,
    aggregate_id      TEXT NOT NULL,
    aggregate_version BIGINT NOT NULL CHECK (aggregate_version >= 1),
    event_type        TEXT NOT NULL,
    envelope          BYTEA NOT NULL,
    correlation_id    TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The writing (top-level) transaction: batches are cut by snapshot visibility.
    tx_id             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (aggregate_type, aggregate_id, aggregate_version)
);
CREATE INDEX IF NOT EXISTS outbox_by_tx ON outbox (tx_id);

-- One row per relay: the next batch number it will hand out, and the leader's epoch.
CREATE TABLE IF NOT EXISTS outbox_relay_state (
    relay_name  TEXT PRIMARY KEY,
    next_batch  BIGINT NOT NULL
);
-- A fencing token: each new leader raises it before it recovers, and a batch can only
-- be recorded under the current one. A leader that lost its advisory lock without
-- noticing (its lock session was killed) can then never record a batch behind its
-- successor's back, which the successor would skip and later take for published.
ALTER TABLE outbox_relay_state ADD COLUMN IF NOT EXISTS leader_epoch BIGINT NOT NULL DEFAULT 0;

-- A batch is the rows whose transaction is visible in snapshot_hi but not in
-- snapshot_lo (NULL: nothing visible), with after_id < outbox_id <= through_id. Both
-- snapshots are fixed, so a batch's rows can be found again after a crash. Only the
-- newest published batch is kept, with any batch not yet published.
CREATE TABLE IF NOT EXISTS outbox_batches (
    relay_name   TEXT NOT NULL,
    batch        BIGINT NOT NULL,
    snapshot_lo  pg_snapshot,
    snapshot_hi  pg_snapshot NOT NULL,
    after_id     BIGINT NOT NULL,
    through_id   BIGINT NOT NULL,
    window_full  BOOLEAN NOT NULL,  -- the window may hold rows beyond through_id
    published    BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (relay_name, batch)
);
