-- local/attach_memory_catalog: an empty in-memory database named art_expected (to build the
-- expected shape in).
-- params: none
ATTACH ':memory:' AS art_expected
