-- lake/secret_s3: credentials and endpoint for the lake's S3-compatible storage (values bound).
-- params: $key_id, $secret, $region, $endpoint, $url_style, $use_ssl
CREATE OR REPLACE SECRET art_s3 (
    TYPE s3, PROVIDER config, KEY_ID $key_id, SECRET $secret, REGION $region,
    ENDPOINT $endpoint, URL_STYLE $url_style, USE_SSL $use_ssl
)
