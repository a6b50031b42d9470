CREATE TABLE IF NOT EXISTS members (
    member_id        UUID PRIMARY KEY,
    name             TEXT NOT NULL,
    short_name       TEXT NOT NULL DEFAULT '',
    institution_type TEXT NOT NULL,
    home_city        TEXT NOT NULL,
    uscc             TEXT NOT NULL UNIQUE,
    contact          TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    joined_at        TIMESTAMPTZ NOT NULL,
    version          BIGINT NOT NULL CHECK (version >= 1)
);

CREATE TABLE IF NOT EXISTS enterprises (
    enterprise_id          UUID PRIMARY KEY,
    name                   TEXT NOT NULL,
    uscc                   TEXT NOT NULL,  -- unique unless REJECTED: see the index below
    city                   TEXT NOT NULL,
    region_code            TEXT NOT NULL DEFAULT '',
    industry               TEXT NOT NULL,
    industry_code          TEXT NOT NULL DEFAULT '',
    size_class             TEXT NOT NULL,
    designations           TEXT[] NOT NULL DEFAULT '{}',
    registered_capital_fen BIGINT NOT NULL CHECK (registered_capital_fen >= 0),
    status                 TEXT NOT NULL,
    version                BIGINT NOT NULL CHECK (version >= 1)
);

-- Listing filters by city; keyset paging continues by id within the filter.
CREATE INDEX IF NOT EXISTS members_by_city ON members (home_city, member_id);
CREATE INDEX IF NOT EXISTS enterprises_by_city ON enterprises (city, enterprise_id);

-- Self-registration (PENDING_VERIFICATION, then verified or rejected by the office).
-- The contact is for the office's KYC call; it is kept out of events.
ALTER TABLE enterprises ADD COLUMN IF NOT EXISTS contact TEXT NOT NULL DEFAULT '';

-- A USCC identifies one live enterprise. A REJECTED self-registration (say, someone
-- using another company's code) must not block the real company, so it frees the code.
-- Databases created before this rule carry the table-wide constraint: the partial index
-- is built first, then the old constraint dropped, so the code is never unguarded.
CREATE UNIQUE INDEX IF NOT EXISTS enterprises_uscc_unless_rejected
    ON enterprises (uscc) WHERE status <> 'REJECTED';
ALTER TABLE enterprises DROP CONSTRAINT IF EXISTS enterprises_uscc_key;
CREATE INDEX IF NOT EXISTS enterprises_by_status ON enterprises (status, enterprise_id);
