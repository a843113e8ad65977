"""The coordinator's console: an index for the dispatch suggestion (bench/bench_console.py).

Measured on 1,400 artisans and 20,000 jobs (PostgreSQL): the suggestion's candidates, each
checked for a live job on the order, took 4.0 ms with the separate indexes on job "order"
and artisan (a bitmap AND per artisan) and 2.0 ms with this one; dispatch's check for open
offers asks the same question. The dashboard's sums read most of a brand's rows, which
sequential scans do best at this size; the one index tried for them, job ("order", status),
only helped a plan that the villages query no longer gets (backend.dashboard.service).
"""

from backend.db.ddl import statements_migration

ID = "2026-11-30T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "job (order, artisan) index"

STATEMENTS = ['CREATE INDEX job_order_artisan ON job ("order", artisan)']
DROP = ["DROP INDEX job_order_artisan"]


forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, undo=DROP)
