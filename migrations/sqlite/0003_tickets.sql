-- Handoffs to the shop's agents (docs/handoff.md): tickets, the webhooks that deliver them
-- (an outbox, so that a restart or a dead receiver loses nothing; the body is made from the
-- transcript when it is sent), and the frustration signals
-- of customer turns. Times are Unix milliseconds (UTC).
CREATE TABLE tickets (
    id               TEXT PRIMARY KEY,            -- a random UUID (v4)
    conversation_id  TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    state            TEXT NOT NULL CHECK (state IN ('open', 'assigned', 'resolved', 'expired')),
    reason           TEXT NOT NULL,               -- the handoff reason (requested_human, complaint, ...)
    priority         TEXT NOT NULL CHECK (priority IN ('normal', 'high')),
    frustrated       BOOLEAN NOT NULL,            -- the customer was frustrated when it opened
    assignee         TEXT,                        -- the agent who took it
    opened_seq       INTEGER NOT NULL,               -- the turn that opened it
    created_at       INTEGER NOT NULL,
    assigned_at      INTEGER,
    closed_at        INTEGER,                        -- resolved or expired
    updated_at       INTEGER NOT NULL
);
-- One active ticket per conversation at most.
CREATE UNIQUE INDEX tickets_one_active ON tickets (conversation_id) WHERE state IN ('open', 'assigned');
CREATE INDEX tickets_by_state ON tickets (state, created_at);

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,            -- the event id (X-Kefu-Event-Id), a random UUID
    ticket_id        TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    event            TEXT NOT NULL,               -- ticket.opened, ticket.message
    upto_seq         INTEGER NOT NULL,              -- the body carries the transcript up to this turn
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,               -- also the lease of the replica delivering it
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

ALTER TABLE turns ADD COLUMN frustration TEXT;  -- customer turns: {signals, score}, when any
ALTER TABLE turns ADD COLUMN ticket_id TEXT;     -- the ticket a turn belongs to (agent, system, and customer turns kept for an agent)
