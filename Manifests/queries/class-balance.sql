-- Objects per class: how many Open Images objects were indexed, accepted by the filters and
-- extracted, and how many training samples each class ended in.
SELECT COALESCE(c.name, o.label) AS class,
       COUNT(*) AS objects,
       SUM(o.accepted) AS accepted,
       COUNT(e.object_id) AS extracted,
       (SELECT COUNT(*) FROM sample s WHERE s.kind = 'openimages'
          AND s.source LIKE 'image/%/object/' || REPLACE(o.label, '/', '') || '%') AS samples
FROM object o
LEFT JOIN class c ON c.label = o.label
LEFT JOIN extraction e ON e.object_id = o.id
GROUP BY o.label
ORDER BY objects DESC, class;
