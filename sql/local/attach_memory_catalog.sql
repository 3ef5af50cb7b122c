-- local/attach_memory_catalog: an empty in-memory database named art_catalog (the expected shape).
-- params: none
ATTACH ':memory:' AS art_catalog
