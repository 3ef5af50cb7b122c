-- local/use_database: make the attached art_catalog the default database (building the expected shape).
-- params: none
USE art_catalog
