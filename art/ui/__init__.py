"""`art ui`: a read-only dashboard (runs, curves, trajectories, SQL) over a store.

Needs the `ui` extra (Starlette, uvicorn). Nothing here is imported by `import art`.
"""
