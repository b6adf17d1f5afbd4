-- Where captions come from (Localized Narratives, an external captioner, templates), per
-- subject kind, with an example.
SELECT subject_kind, source, COUNT(*) AS captions, COUNT(DISTINCT subject_id) AS subjects, MIN(text) AS example
FROM caption
GROUP BY subject_kind, source
ORDER BY subject_kind, captions DESC;
