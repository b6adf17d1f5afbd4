-- The caption a sample carries: per subject, a human one (Localized Narratives) first, then an
-- external captioner's, then a template; the lowest index within a source. One definition for
-- every reader (sample assembly, exports), written so that SQLite can flatten it into a query
-- filtered by subject and use the caption primary key.
CREATE VIEW preferred_caption AS
SELECT c.subject_kind, c.subject_id, c.source, c.idx, c.text
FROM caption c
WHERE (c.source, c.idx) = (
    SELECT p.source, p.idx FROM caption p
    WHERE p.subject_kind = c.subject_kind AND p.subject_id = c.subject_id
    ORDER BY CASE p.source WHEN 'narrative' THEN 0 WHEN 'external' THEN 1 ELSE 2 END, p.idx
    LIMIT 1);
