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
-- Unpaid principal: equals utilized on revolving lines, falls below it on others.
ALTER TABLE credit_lines ADD COLUMN IF NOT EXISTS outstanding_fen BIGINT NOT NULL DEFAULT 0;
DO $$ BEGIN
    ALTER TABLE credit_lines ADD CONSTRAINT credit_line_outstanding_within_utilized
        CHECK (outstanding_fen >= 0 AND outstanding_fen <= utilized_fen);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
CREATE INDEX IF NOT EXISTS credit_lines_due ON credit_lines (valid_to)
    WHERE status IN ('ACTIVE', 'FROZEN');
CREATE INDEX IF NOT EXISTS credit_lines_by_bank ON credit_lines (bank_id, credit_line_id);
CREATE INDEX IF NOT EXISTS credit_lines_by_enterprise ON credit_lines (enterprise_id);
-- A guarantee company's lines (its ListCreditLines, and the loans it backs).
CREATE INDEX IF NOT EXISTS credit_lines_by_guarantor ON credit_lines (guarantor_id, credit_line_id);

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

-- Financing applications; target banks are the one addressed bank, or every ACTIVE
-- bank of the enterprise's city at submission (matchmaking).
CREATE TABLE IF NOT EXISTS financing_applications (
    application_id    UUID PRIMARY KEY,
    enterprise_id     UUID NOT NULL,
    currency          TEXT NOT NULL CHECK (currency = 'CNY'),
    amount_fen        BIGINT NOT NULL CHECK (amount_fen > 0),
    term_months       INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 360),
    purpose           TEXT NOT NULL,
    target_bank_ids   UUID[] NOT NULL,
    declined_bank_ids UUID[] NOT NULL DEFAULT '{}',
    city_wide         BOOLEAN NOT NULL,
    submitted_at      TIMESTAMPTZ NOT NULL,
    status            TEXT NOT NULL,
    bank_id           UUID,
    credit_line_id    UUID REFERENCES credit_lines (credit_line_id),
    approved_fen      BIGINT NOT NULL DEFAULT 0,
    disbursed_fen     BIGINT NOT NULL DEFAULT 0,
    repaid_fen        BIGINT NOT NULL DEFAULT 0,
    guarantee_fen     BIGINT NOT NULL DEFAULT 0 CHECK (guarantee_fen >= 0),
    version           BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT application_money_order
        CHECK (0 <= repaid_fen AND repaid_fen <= disbursed_fen AND disbursed_fen <= approved_fen
               AND approved_fen <= amount_fen)
);
CREATE INDEX IF NOT EXISTS financing_applications_by_enterprise
    ON financing_applications (enterprise_id, application_id);
CREATE INDEX IF NOT EXISTS financing_applications_by_target
    ON financing_applications USING GIN (target_bank_ids);
-- The applications bound to a line: a guarantor's loans, through its lines.
CREATE INDEX IF NOT EXISTS financing_applications_by_line
    ON financing_applications (credit_line_id);

-- Each drawdown (放款), repayment and compensation (代偿), for history and reconciliation.
CREATE TABLE IF NOT EXISTS credit_movements (
    movement_id     UUID PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('DRAWDOWN', 'REPAYMENT', 'COMPENSATION')),
    credit_line_id  UUID NOT NULL REFERENCES credit_lines (credit_line_id),
    application_id  UUID NOT NULL REFERENCES financing_applications (application_id),
    amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
    guarantee_fen   BIGINT NOT NULL DEFAULT 0 CHECK (guarantee_fen >= 0),
    line_version    BIGINT NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS credit_movements_by_line ON credit_movements (credit_line_id);
-- An application's movements in order (ListFundsMovements).
CREATE INDEX IF NOT EXISTS credit_movements_by_application
    ON credit_movements (application_id, line_version);

-- The loan's term (Asia/Shanghai dates), set by its first drawdown; overdue_since once
-- the sweeper found principal outstanding past maturity.
ALTER TABLE financing_applications
    ADD COLUMN IF NOT EXISTS first_drawn_on DATE,
    ADD COLUMN IF NOT EXISTS maturity_date  DATE,
    ADD COLUMN IF NOT EXISTS overdue_since  DATE;
-- Loans drawn before terms were recorded: the first DRAWDOWN movement starts the term.
-- `date + interval` clamps to the month's last day, as calendar.add_months does.
WITH undated AS (
    SELECT a.application_id, a.term_months,
           (SELECT min((m.occurred_at AT TIME ZONE 'Asia/Shanghai')::date)
              FROM credit_movements m
             WHERE m.application_id = a.application_id AND m.kind = 'DRAWDOWN') AS first_on
      FROM financing_applications a
     WHERE a.first_drawn_on IS NULL AND a.disbursed_fen > 0)
UPDATE financing_applications a
   SET first_drawn_on = u.first_on,
       maturity_date = (u.first_on + make_interval(months => u.term_months))::date
  FROM undated u
 WHERE a.application_id = u.application_id AND u.first_on IS NOT NULL;
-- The sweeper's worklist: loans under way not yet marked overdue. Only maturity_date is
-- indexed, and it changes once (first drawdown), so later drawdowns stay HOT updates.
CREATE INDEX IF NOT EXISTS financing_applications_overdue_watch
    ON financing_applications (maturity_date)
    WHERE status = 'DISBURSED' AND overdue_since IS NULL;

-- Compensation (代偿): of repaid_fen, what the line's guarantor paid the bank; a movement
-- of kind COMPENSATION. Databases created before it get the column and the wider CHECK
-- (its name is PostgreSQL's default for the inline one).
ALTER TABLE financing_applications
    ADD COLUMN IF NOT EXISTS compensated_fen BIGINT NOT NULL DEFAULT 0;
DO $$ BEGIN
    ALTER TABLE financing_applications ADD CONSTRAINT financing_compensated_within_repaid
        CHECK (0 <= compensated_fen AND compensated_fen <= repaid_fen);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
-- Only when the CHECK is the old one: re-adding it validates every row under an
-- exclusive lock, which no ordinary start should pay.
DO $$ BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
         WHERE conrelid = 'credit_movements'::regclass
           AND conname = 'credit_movements_kind_check'
           AND pg_get_constraintdef(oid) LIKE '%COMPENSATION%') THEN
        ALTER TABLE credit_movements DROP CONSTRAINT IF EXISTS credit_movements_kind_check;
        ALTER TABLE credit_movements ADD CONSTRAINT credit_movements_kind_check
            CHECK (kind IN ('DRAWDOWN', 'REPAYMENT', 'COMPENSATION'));
    END IF;
END $$;

-- Capacity per guarantee company; used never exceeds capacity at the moment it grows.
CREATE TABLE IF NOT EXISTS guarantor_capacity (
    guarantor_id UUID PRIMARY KEY,
    capacity_fen BIGINT NOT NULL CHECK (capacity_fen >= 0),
    used_fen     BIGINT NOT NULL DEFAULT 0 CHECK (used_fen >= 0),
    version      BIGINT NOT NULL CHECK (version >= 1),
    -- Version of the GuarantorCapacity event aggregate: counts capacity settings only.
    capacity_version BIGINT NOT NULL DEFAULT 0 CHECK (capacity_version >= 0)
);
-- Databases created before the column existed (their settings had no events yet).
ALTER TABLE guarantor_capacity
    ADD COLUMN IF NOT EXISTS capacity_version BIGINT NOT NULL DEFAULT 0
    CHECK (capacity_version >= 0);

-- Audit trail: every change, in the transaction that made it.
CREATE TABLE IF NOT EXISTS credit_audit (
    audit_id       BIGSERIAL PRIMARY KEY,
    aggregate_type TEXT NOT NULL,
    aggregate_id   UUID NOT NULL,
    action         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    before_state   JSONB,
    after_state    JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS credit_audit_by_aggregate
    ON credit_audit (aggregate_type, aggregate_id, audit_id);

-- The approval's Asia/Shanghai date: an approval undrawn for G60_CREDIT_APPROVAL_VALID_DAYS
-- lapses (the sweeper closes it). Approvals made before the column get the date of
-- their APPROVE audit row.
ALTER TABLE financing_applications ADD COLUMN IF NOT EXISTS approved_on DATE;
UPDATE financing_applications a
   SET approved_on = (au.occurred_at AT TIME ZONE 'Asia/Shanghai')::date
  FROM credit_audit au
 WHERE a.approved_on IS NULL AND a.bank_id IS NOT NULL
   AND au.aggregate_type = 'FinancingApplication' AND au.action = 'APPROVE'
   AND au.aggregate_id = a.application_id;
-- The sweeper's worklist: approvals nothing was drawn on (an APPROVED application has
-- disbursed_fen = 0: the first drawdown makes it DISBURSED). Only approved_on, set once
-- by the approval, and status are indexed: disbursed_fen in the predicate would make
-- every drawdown a non-HOT update; only the first one changes status.
CREATE INDEX IF NOT EXISTS financing_applications_lapse_watch
    ON financing_applications (approved_on)
    WHERE status = 'APPROVED';

-- Due-soon reminders (到期提醒): the maturity date the sweeper last announced, so each
-- date is announced once (an extension moves the date, and the new one is announced
-- again). No backfill: loans under way when the column arrives have had no reminder,
-- and those maturing within the notice period get one on the next sweep.
ALTER TABLE financing_applications ADD COLUMN IF NOT EXISTS due_soon_notified_for DATE;
-- The sweeper's worklist: loans under way not yet reminded of their maturity date. A
-- reminded loan leaves the index, so it holds only what is still to announce. Its
-- columns (status, overdue_since, maturity_date, due_soon_notified_for) change on the
-- first drawdown, the reminder and the mark only: later drawdowns and repayments that
-- leave the loan owing stay HOT updates.
CREATE INDEX IF NOT EXISTS financing_applications_due_soon_watch
    ON financing_applications (maturity_date)
    WHERE status = 'DISBURSED' AND overdue_since IS NULL
      AND due_soon_notified_for IS DISTINCT FROM maturity_date;

-- Loan extension (展期): the months the lender extended the loan by, once (0: never).
-- The maturity date itself moves; no backfill: no loan was extended before.
ALTER TABLE financing_applications
    ADD COLUMN IF NOT EXISTS extended_months INTEGER NOT NULL DEFAULT 0;
DO $$ BEGIN
    ALTER TABLE financing_applications ADD CONSTRAINT financing_extended_months_range
        CHECK (extended_months BETWEEN 0 AND 360);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Five-tier risk classification (贷款五级分类): NORMAL until the overdue mark makes a loan
-- SPECIAL_MENTION, then only worse as its days past due cross the floors (the sweeper).
ALTER TABLE financing_applications
    ADD COLUMN IF NOT EXISTS risk_class TEXT NOT NULL DEFAULT 'NORMAL';
DO $$ BEGIN
    ALTER TABLE financing_applications ADD CONSTRAINT financing_risk_class_known
        CHECK (risk_class IN ('NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'));
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
-- Loans marked overdue before the column: the mark's class. Later rounds of the sweeper
-- move them further down by their days past due, each with its event.
UPDATE financing_applications SET risk_class = 'SPECIAL_MENTION'
 WHERE overdue_since IS NOT NULL AND risk_class = 'NORMAL';
-- The sweeper's worklist: loans marked overdue, under way and not yet LOSS (the worst).
-- Only maturity_date is indexed, and repaid_fen stays out of the predicate, so
-- repayments of late loans stay HOT updates; the set is the overdue book, not the table.
CREATE INDEX IF NOT EXISTS financing_applications_risk_watch
    ON financing_applications (maturity_date)
    WHERE status = 'DISBURSED' AND overdue_since IS NOT NULL AND risk_class <> 'LOSS';
