"""What a table class declares beside its columns: the keys, indexes, checks and triggers that
its migrations create in SQL.

Piccolo 1.38 writes a column's ``unique=True`` and ``index=True`` into its DDL on both engines,
and a ``ForeignKey``'s ``on_delete``/``on_update``. Its ``piccolo.constraints.Unique`` and
``Check`` become ``ALTER TABLE … ADD CONSTRAINT``, which SQLite rejects, and it declares no index
over several columns. So migrations create those in SQL, and the table class names each one as
plain data, in class attributes of these types:

- ``UNIQUE: ClassVar[Keys]``: unique keys over several columns (``CREATE UNIQUE INDEX``), by name;
- ``INDEXES: ClassVar[Keys]``: other indexes over several columns, by name;
- ``CHECKS: ClassVar[Checks]``: CHECK constraints on both engines (in a ``CREATE TABLE``);
- ``POSTGRES_CHECKS: ClassVar[Checks]``: CHECK constraints on PostgreSQL only (SQLite cannot add
  one to a table that exists);
- ``SQLITE_TRIGGERS``, ``POSTGRES_TRIGGERS: ClassVar[Names]``: triggers, by name.

``tests/integration/db/test_schema.py`` holds the migrated database to the classes on both
engines: a column, key, index, check, foreign key or trigger on one side only fails it, by
table and name. A new one is declared here and created by a new migration, in the same commit.
"""

from collections.abc import Mapping

Keys = Mapping[str, tuple[str, ...]]
"""Index name: its columns, in order."""

Checks = Mapping[str, str]
"""Constraint name: its condition, as the migration writes it."""

Names = tuple[str, ...]
