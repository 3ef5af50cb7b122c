-- local/use_database: make the attached art_expected the default database of a cursor of its
-- own (building the expected shape there leaves the caller's default database as it was).
-- params: none
USE art_expected
