-- The effective configuration of each run: the step settings it ran with after defaults and
-- command-line overrides, as key-sorted JSON ({"step": {...}}); NULL for runs before this
-- migration and for commands without settings.
ALTER TABLE run ADD COLUMN config TEXT;
