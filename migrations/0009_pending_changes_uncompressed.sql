-- Pending changes live from an import's commit to its booking, seconds later: compressing them (pglz, about 1 MB
-- per 10k changes) only lengthens the import's transaction, by about a third of the statement that stores them.
-- EXTERNAL stores new values out of line, uncompressed; rows already stored stay as they are.
ALTER TABLE sales_pending_changes ALTER COLUMN changes SET STORAGE EXTERNAL;
