-- Counters of the sign-in throttle and the rate limits, shared by every node on the database. A row is one key's
-- current window: what is counted is named by its SHA-256 (so a row's size never depends on what a client sent),
-- and a row whose window has ended is reused in place or deleted by the periodic cleanup. One schema for H2 and
-- PostgreSQL.
CREATE TABLE rate_counters (
    bucket       CHAR(64) NOT NULL PRIMARY KEY,       -- hex SHA-256 of the limit's name and the key it counts
    hits         INTEGER NOT NULL,
    window_ends  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX rate_counters_window_ends ON rate_counters (window_ends);
