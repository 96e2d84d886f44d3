"""`make bench`: how fast the demo loads and the enterprise list answers, on SQLite and PostgreSQL.

`python -m bench` (the parent, `__main__`) runs `bench.worker` once per database backend in a
subprocess, because Django reads its settings (DATABASE_URL, BENAN_VAR_DIR) at import; the
worker loads the demo, measures, and writes JSON that the parent prints side by side.
"""
