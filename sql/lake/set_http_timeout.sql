-- lake/set_http_timeout: how long one S3 request may wait (seconds), so a frozen server is noticed.
-- params: $seconds
SET GLOBAL http_timeout = $seconds
