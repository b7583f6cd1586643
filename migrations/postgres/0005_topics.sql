-- Topics of customer questions (docs/insights.md): each distinct question (by the key of its
-- normalised text) is placed once into a topic by meaning, so that an insights run only embeds
-- and places the questions new since the last one. Per embedding model: a model switch starts
-- over. No question text is kept here: labels and samples are read from the turns.
CREATE TABLE topics (
    model      TEXT NOT NULL,               -- the embedding model's name
    id         BIGINT NOT NULL,              -- 1, 2, ... per model
    centroid   BYTEA NOT NULL,               -- the sum of its members' unit vectors (f32, little-endian)
    members    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (model, id)
);

CREATE TABLE topic_questions (
    model        TEXT NOT NULL,
    question_key TEXT NOT NULL,             -- blake3 of the normalised question (insights::topics::question_key)
    topic_id     BIGINT NOT NULL,
    vector       BYTEA NOT NULL,             -- the question's unit vector (f16, little-endian)
    last_seen_at BIGINT NOT NULL,          -- the latest turn asking it when it was placed: purged with the turns
    PRIMARY KEY (model, question_key)
);
CREATE INDEX topic_questions_by_time ON topic_questions (last_seen_at);
