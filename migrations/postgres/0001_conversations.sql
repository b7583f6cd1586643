-- Conversations and their turns (docs/store.md). Times are Unix milliseconds (UTC).
CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,            -- issued by the server: a random UUID (v4)
    owner_key        TEXT NOT NULL,               -- id of the API key (or session) that started it, never the key
    external_user_id TEXT,                        -- the shop's id of its customer, when it gave one
    channel          TEXT NOT NULL,               -- api, web, ...
    last_seq         BIGINT NOT NULL DEFAULT 0,   -- seq of its last turn (turns are numbered 1, 2, ...)
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX conversations_by_update ON conversations (updated_at);
CREATE INDEX conversations_by_user ON conversations (external_user_id, updated_at) WHERE external_user_id IS NOT NULL;
CREATE INDEX conversations_by_owner ON conversations (owner_key, updated_at);

CREATE TABLE turns (
    conversation_id  TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq              BIGINT NOT NULL,             -- 1, 2, ... within the conversation
    role             TEXT NOT NULL CHECK (role IN ('customer', 'bot', 'agent', 'system')),
    actor            TEXT,                        -- who sent it: the API key id (or session) of a customer turn, an agent; none for the bot
    text             TEXT NOT NULL,               -- the message or the answer, redacted
    resolved_query   TEXT,                        -- customer turns: what was retrieved with (follow-ups resolved)
    citations        JSONB,                       -- bot turns: [{n, chunk_id, doc_id, span}]
    confidence       DOUBLE PRECISION,
    abstained        BOOLEAN,
    handoff_reason   TEXT,
    generator        TEXT,
    language         TEXT,
    index_generation BIGINT,
    total_ms         DOUBLE PRECISION,
    timings          JSONB,                       -- {embed_ms, retrieve_ms, generate_ms, total_ms}
    channel          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX turns_by_time ON turns (created_at);
