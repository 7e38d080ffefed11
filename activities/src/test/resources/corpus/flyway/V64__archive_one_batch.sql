-- One batch per release; the job scheduler re-runs the same statement.
UPDATE orders SET archived = true
 WHERE id IN (SELECT id FROM orders
               WHERE archived IS NOT TRUE AND created_at < now() - interval '2 years'
               ORDER BY id
               LIMIT 5000);
