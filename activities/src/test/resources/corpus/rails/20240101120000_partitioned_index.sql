CREATE INDEX events_occurred_at_idx ON ONLY events (occurred_at);
CREATE INDEX CONCURRENTLY events_2024_occurred_at_idx ON events_2024 (occurred_at);
ALTER INDEX events_occurred_at_idx ATTACH PARTITION events_2024_occurred_at_idx;
CREATE INDEX CONCURRENTLY events_2025_occurred_at_idx ON events_2025 (occurred_at);
ALTER INDEX events_occurred_at_idx ATTACH PARTITION events_2025_occurred_at_idx;
