-- local/reset_threads: back to DuckDB's default thread count for the user's queries (the
-- reader's set-up ran on one thread: copying a few small tables is faster without workers).
-- params: none
RESET threads
