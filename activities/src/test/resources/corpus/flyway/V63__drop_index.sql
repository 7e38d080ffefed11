-- An index nobody uses any more; dropped the quick way.
DROP INDEX IF EXISTS orders_legacy_status_idx;
