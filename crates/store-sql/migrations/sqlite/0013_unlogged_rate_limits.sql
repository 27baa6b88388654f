-- PostgreSQL keeps rate-limit counts without its write-ahead log from this migration on;
-- SQLite counts them in memory unless told to share them, and has no such table kind.
SELECT 1;
