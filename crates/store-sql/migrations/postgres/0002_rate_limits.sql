-- Rate limits shared by every process of an installation: one row per key holding its
-- theoretical arrival time (GCRA). Rows whose time has passed are deleted now and then.
CREATE TABLE rate_limits (
    key  TEXT PRIMARY KEY,
    tat  TIMESTAMPTZ NOT NULL
);
