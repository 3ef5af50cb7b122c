-- lake/maintain_flush: write rows inlined in the catalog database out to parquet files.
-- params: none
CALL ducklake_flush_inlined_data('lake')
