-- The mean question of each embedding model's topics (docs/insights.md): topics compare
-- questions minus it. Taken again, and every topic rebuilt, each time the distinct questions
-- double, until it rests on 2,000 of them.
CREATE TABLE topic_centres (
    model      TEXT PRIMARY KEY,
    centre     BYTEA NOT NULL,               -- the mean of the questions' unit vectors (f32, little-endian)
    questions  BIGINT  NOT NULL,            -- distinct questions it was taken from
    updated_at BIGINT NOT NULL
);
