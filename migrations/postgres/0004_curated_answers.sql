-- Curated answers (docs/curated.md): what the shop's people wrote for questions the help center
-- does not answer. Every change is a new version (an edit, a removal), so that what customers
-- were told can always be traced; the live answer is an id's latest version unless it removes.
CREATE TABLE curated_answers (
    id                     TEXT NOT NULL,            -- a random UUID, the same across versions
    version                BIGINT NOT NULL,             -- 1, 2, ...
    questions              JSONB NOT NULL,            -- example questions (a JSON array of strings)
    answer                 TEXT NOT NULL,
    locale                 TEXT NOT NULL,
    product                TEXT,
    tags                   JSONB NOT NULL,            -- a JSON array of strings
    author                 TEXT NOT NULL,            -- who made this version
    source_conversation_id TEXT,                     -- promoted from this conversation's turn
    source_turn_seq        BIGINT,
    removed                BOOLEAN NOT NULL,         -- this version withdraws the answer
    created_at             BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE INDEX curated_answers_by_time ON curated_answers (created_at);
