-- The insights' exchanges of each settled UTC day, kept so that a run reads a few blobs instead
-- of every turn again (docs/insights.md). Derived data: dropped with the turns it was made from
-- (a deletion drops the days its turns were in), rebuilt when a day's turn count changed.
CREATE TABLE insight_days (
    day       BIGINT  PRIMARY KEY,      -- days since 1970-01-01 UTC
    format    BIGINT  NOT NULL,         -- the encoding's version: another one is rebuilt
    turns     BIGINT  NOT NULL,         -- turns created that day when it was built
    exchanges BYTEA   NOT NULL,         -- the day's exchanges, bincode, deflated
    built_at  BIGINT  NOT NULL
);
