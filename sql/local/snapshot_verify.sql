-- local/snapshot_verify: read every row and column of the snapshot's two large tables once, so
-- a damaged catalog is found when it is opened and set aside with a warning, not in a user's
-- query later: DuckDB checks each block's checksum as it reads it (the hashes are combined so
-- that no column is left unread), and `broken` counts rows that break the tables' NOT NULL
-- and key constraints (damage a checksum can miss: a row copied into a table would fail them).
-- params: none
SELECT (SELECT count(*) FILTER (WHERE path IS NULL OR project IS NULL OR model IS NULL
                                   OR split IS NULL OR step IS NULL OR bytes IS NULL
                                   OR mtime_ns IS NULL)
               + count(*) - count(DISTINCT path)
        FROM art_catalog.main.trajectory_files)
       + (SELECT count(*) FILTER (WHERE project IS NULL OR model IS NULL OR split IS NULL
                                     OR step IS NULL OR seq IS NULL OR metric IS NULL
                                     OR value IS NULL)
          FROM art_catalog.main.history) AS broken,
       xor((SELECT bit_xor(hash(f)) FROM art_catalog.main.trajectory_files f),
           (SELECT bit_xor(hash(h)) FROM art_catalog.main.history h)) AS digest
