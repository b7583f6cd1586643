-- What customers say about answers and conversations (docs/store.md). One rating per answer
-- and one CSAT score per conversation: a new one replaces the old.
CREATE TABLE feedback (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    turn_seq        INTEGER NOT NULL,            -- the bot turn rated; 0 for the conversation's CSAT
    kind            TEXT NOT NULL CHECK (kind IN ('thumbs', 'csat')),
    score           INTEGER NOT NULL,            -- thumbs: 1 up, -1 down; csat: 1 to 5
    reason          TEXT CHECK (reason IN ('wrong', 'outdated', 'unclear', 'not_what_i_asked')),
    comment         TEXT,                        -- redacted
    actor           TEXT,                        -- the API key id (or session) that sent it
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, turn_seq, kind)
);
CREATE INDEX feedback_by_time ON feedback (created_at);
