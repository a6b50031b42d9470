CREATE TABLE IF NOT EXISTS credit_lines (
    credit_line_id  UUID PRIMARY KEY,
    bank_id         UUID NOT NULL,
    enterprise_id   UUID NOT NULL,
    product         TEXT NOT NULL,
    currency        TEXT NOT NULL CHECK (currency = 'CNY'),
    limit_fen       BIGINT NOT NULL CHECK (limit_fen > 0),
    reserved_fen    BIGINT NOT NULL DEFAULT 0 CHECK (reserved_fen >= 0),
    utilized_fen    BIGINT NOT NULL DEFAULT 0 CHECK (utilized_fen >= 0),
    revolving       BOOLEAN NOT NULL,
    valid_from      DATE NOT NULL,
    valid_to        DATE NOT NULL,
    guarantor_id    UUID,
    cover_ratio_bp  INTEGER NOT NULL DEFAULT 0 CHECK (cover_ratio_bp BETWEEN 0 AND 10000),
    status          TEXT NOT NULL,
    version         BIGINT NOT NULL CHECK (version >= 1),
    -- The database itself refuses any interleaving that would overdraw a line.
    CONSTRAINT credit_line_available_non_negative
        CHECK (reserved_fen + utilized_fen <= limit_fen),
    CONSTRAINT credit_line_window CHECK (valid_from <= valid_to)
);
CREATE INDEX IF NOT EXISTS credit_lines_by_bank ON credit_lines (bank_id, credit_line_id);
CREATE INDEX IF NOT EXISTS credit_lines_by_enterprise ON credit_lines (enterprise_id);

-- Read model of the members service, fed by its events (event-carried state transfer).
CREATE TABLE IF NOT EXISTS member_view (
    member_id        UUID PRIMARY KEY,
    institution_type TEXT NOT NULL,
    home_city        TEXT NOT NULL,
    status           TEXT NOT NULL,
    version          BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS enterprise_view (
    enterprise_id UUID PRIMARY KEY,
    city          TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    industry      TEXT NOT NULL,
    size_class    TEXT NOT NULL,
    status        TEXT NOT NULL,
    version       BIGINT NOT NULL
);
