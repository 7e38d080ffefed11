ALTER TABLE accounts SET (autovacuum_vacuum_scale_factor = 0.01, fillfactor = 90);
ALTER TABLE accounts RESET (fillfactor);
