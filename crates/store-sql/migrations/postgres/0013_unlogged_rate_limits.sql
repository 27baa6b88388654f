-- Rate-limit counts are kept without the write-ahead log: a check's commit then waits for no
-- disk flush while it holds its key's row (every request of one app shares the app's key),
-- and after a crash or a failover the counts start again from nothing, which is the one
-- thing they may lose. Every other table stays logged.
ALTER TABLE rate_limits SET UNLOGGED;
