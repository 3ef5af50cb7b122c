"""The store: where a model logs and what every reader asks (see `art.store.base.Store`).

`LocalStore` keeps files under a base path and a DuckDB catalog that indexes them;
`DuckLakeStore` keeps the same tables in a DuckLake. Importing this package loads nothing heavy.
"""
