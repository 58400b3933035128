-- installs the extension (and pgcrypto) into the regression database
CREATE EXTENSION roundtable CASCADE;
SELECT extname FROM pg_extension WHERE extname IN ('pgcrypto', 'roundtable') ORDER BY 1;
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'rt.messages'::regclass;
