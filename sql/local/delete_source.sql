-- local/delete_source: forget the ingest progress of a source that is gone.
-- params: $path
DELETE FROM sources WHERE path = $path
