-- Items per stage and status, with the number of retried items.
SELECT stage,
       SUM(status = 'done')    AS done,
       SUM(status = 'failed')  AS failed,
       SUM(status = 'skipped') AS skipped,
       SUM(status = 'pending') AS pending,
       SUM(attempts > 1)       AS retried
FROM work
GROUP BY stage
ORDER BY stage;
