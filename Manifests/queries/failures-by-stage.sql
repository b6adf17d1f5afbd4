-- Failure and skip reasons per stage, most frequent first.
SELECT stage, status, error_kind, COUNT(*) AS items, MIN(error) AS example
FROM work
WHERE status IN ('failed', 'skipped')
GROUP BY stage, status, error_kind
ORDER BY stage, items DESC;
