-- Samples per split and kind, with the number of distinct sources ('asset/{uid}/' or
-- 'image/{id}/'; a source never spans two splits) and the shards that hold them.
SELECT split, kind, COUNT(*) AS samples,
       COUNT(DISTINCT substr(source, 1, 6 + instr(substr(source, 7), '/'))) AS sources,
       COUNT(DISTINCT shard) AS shards
FROM sample
GROUP BY split, kind
ORDER BY split, kind;
