-- lake/set_http_retries: DuckDB's own retries of one S3 request (ours come on top, within the timeout).
-- params: $retries
SET GLOBAL http_retries = $retries
