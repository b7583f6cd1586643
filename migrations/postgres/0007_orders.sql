-- Order lookups (docs/orders.md): the order a conversation is checking and whether the shopper
-- proved it theirs; wrong proofs per order, across conversations, for the lockout.
CREATE TABLE order_checks (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    order_no        TEXT NOT NULL,
    verified        BOOLEAN NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE TABLE order_failures (
    order_key  TEXT PRIMARY KEY,            -- the canonical order number ("NW58213")
    failures   BIGINT  NOT NULL,            -- wrong proofs, each within the lockout of the one before
    last_at    BIGINT  NOT NULL             -- the latest wrong proof
);
CREATE INDEX order_failures_by_time ON order_failures (last_at);
