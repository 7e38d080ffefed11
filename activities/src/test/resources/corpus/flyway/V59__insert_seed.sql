INSERT INTO settings (key, value) VALUES ('feature_x', 'on') ON CONFLICT (key) DO NOTHING;
INSERT INTO _migration_feature_flags (flag_name, enabled, rollout_percentage) VALUES ('new_search', true, 10);
