-- local/detach_catalog: let go of the catalog file a reader copied from.
-- params: none
DETACH art_catalog
