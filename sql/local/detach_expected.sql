-- local/detach_expected: drop the in-memory database the expected shape was built in.
-- params: none
DETACH art_expected
