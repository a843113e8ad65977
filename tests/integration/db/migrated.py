"""The migrated database's real schema, read from the engine's own catalog, as shapes.

SQLite: ``sqlite_master`` and the table-valued pragmas (``table_info``, ``index_list``,
``index_info``, ``foreign_key_list``), CHECKs from each table's ``CREATE TABLE`` text.
PostgreSQL: ``information_schema`` for tables and columns, ``pg_index``, ``pg_constraint`` and
``pg_trigger``. A handful of queries for every table at once: well under a second.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from backend.db.session import fetch, is_sqlite
from tests.integration.db.shapes import (
    ColumnShape,
    Shape,
    columns_text,
    foreign_key_text,
    index_text,
    normalise_condition,
    normalise_default,
    postgres_type,
    sqlite_type,
)

Row = Mapping[str, Any]


async def migrated_shapes() -> tuple[set[str], dict[str, Shape]]:
    """Every table and view in the database, and the shape of each table."""
    return await (_sqlite() if is_sqlite() else _postgres())


# SQLite ---------------------------------------------------------------------------------------

_OBJECTS = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
_COLUMNS = """
SELECT m.name AS "table", p.name AS "column", p.type, p."notnull" AS not_null, p.dflt_value AS "default", p.pk
FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
"""
_INDEXES = """
SELECT m.name AS "table", l.name AS "index", l."unique" AS is_unique, l.origin, l.partial, i.name AS "column"
FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS l JOIN pragma_index_info(l.name) AS i
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
ORDER BY m.name, l.name, i.seqno
"""
_FOREIGN_KEYS = """
SELECT m.name AS "table", f."from" AS "column", f."table" AS target, f."to" AS target_column, f.on_delete, f.on_update
FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
"""
_CHECK = re.compile(r"""(?:\bCONSTRAINT\s+["`]?(\w+)["`]?\s+)?\bCHECK\s*\(""", re.IGNORECASE)


async def _sqlite() -> tuple[set[str], dict[str, Shape]]:
    objects = await fetch(_OBJECTS)
    tables = {row["name"] for row in objects if row["type"] in ("table", "view")}
    shapes: dict[str, Shape] = defaultdict(Shape)
    primary: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in await fetch(_COLUMNS):
        shapes[row["table"]].columns[row["column"]] = ColumnShape(
            type=sqlite_type(row["type"]), not_null=bool(row["not_null"]), default=normalise_default(row["default"])
        )
        if row["pk"]:
            primary[row["table"]].append((row["pk"], row["column"]))
    for table, key in primary.items():
        shapes[table].items["primary key"]["primary key"] = columns_text([name for _, name in sorted(key)])
    _sqlite_indexes(shapes, await fetch(_INDEXES))
    for row in await fetch(_FOREIGN_KEYS):
        # A REFERENCES without a column names the target's primary key.
        target_column = row["target_column"] or shapes[row["target"]].items["primary key"].get("primary key", "?")
        shapes[row["table"]].items["foreign key"][row["column"]] = foreign_key_text(
            row["target"], target_column.strip("()"), row["on_delete"], row["on_update"]
        )
    for row in objects:
        if row["type"] == "trigger":
            shapes[row["tbl_name"]].items["trigger"][row["name"]] = ""
        elif row["type"] == "table":
            shapes[row["name"]].items["check"] = sqlite_checks(row["sql"])
    return tables, dict(shapes)


def _sqlite_indexes(shapes: dict[str, Shape], rows: list[Row]) -> None:
    columns: dict[tuple[str, str], list[str]] = defaultdict(list)
    about: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (row["table"], row["index"])
        columns[key].append(row["column"] or "<expression>")
        about[key] = row
    for (table, index), names in columns.items():
        row = about[(table, index)]
        if row["origin"] == "pk":  # a primary key that is not the rowid
            continue
        if row["is_unique"] and not row["partial"]:
            shapes[table].items["unique key"][columns_text(names)] = ""
        if row["origin"] == "c":  # CREATE INDEX (not a column's UNIQUE)
            where = " WHERE …" if row["partial"] else ""
            shapes[table].items["index"][index] = index_text(names, unique=bool(row["is_unique"])) + where


def sqlite_checks(create_table: str) -> dict[str, str]:
    """The CHECK constraints in a ``CREATE TABLE`` statement, by name (unnamed ones numbered)."""
    checks: dict[str, str] = {}
    for number, match in enumerate(_CHECK.finditer(create_table), start=1):
        depth, end = 1, match.end()
        while depth and end < len(create_table):
            depth += {"(": 1, ")": -1}.get(create_table[end], 0)
            end += 1
        checks[match.group(1) or f"<unnamed {number}>"] = normalise_condition(create_table[match.end() : end - 1])
    return checks


# PostgreSQL -----------------------------------------------------------------------------------

_PG_TABLES = "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()"
_PG_COLUMNS = """
SELECT table_name::text AS "table", column_name::text AS "column", data_type::text AS data_type,
       character_maximum_length::int AS length, is_nullable = 'NO' AS not_null, column_default::text AS "default"
FROM information_schema.columns WHERE table_schema = current_schema()
"""


def _pg_columns(relation: str, keys: str) -> str:
    """The names of ``relation``'s columns numbered in the array ``keys``, in order."""
    return f"""ARRAY(SELECT COALESCE(a.attname::text, '<expression>')
        FROM unnest({keys}::int2[]) WITH ORDINALITY AS k(num, n)
        LEFT JOIN pg_attribute AS a ON a.attrelid = {relation} AND a.attnum = k.num ORDER BY k.n)"""  # noqa: S608 - our own names


_PG_INDEXES = f"""
SELECT t.relname::text AS "table", i.relname::text AS "index", x.indisunique AS is_unique,
       x.indisprimary AS is_primary, x.indpred IS NOT NULL AS partial,
       EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)
           AS made_by_constraint,
       {_pg_columns("x.indrelid", "x.indkey")} AS columns
FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid JOIN pg_class AS t ON t.oid = x.indrelid
WHERE t.relnamespace = current_schema()::regnamespace
"""  # noqa: S608 - our own constant text
_PG_CONSTRAINTS = f"""
SELECT t.relname::text AS "table", c.conname::text AS name, c.contype::text AS kind,
       pg_get_constraintdef(c.oid) AS definition, r.relname::text AS target,
       c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update,
       {_pg_columns("c.conrelid", "c.conkey")} AS columns,
       {_pg_columns("c.confrelid", "c.confkey")} AS target_columns
FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid LEFT JOIN pg_class AS r ON r.oid = c.confrelid
WHERE t.relnamespace = current_schema()::regnamespace AND c.contype IN ('p', 'f', 'c')
"""  # noqa: S608 - our own constant text
_PG_TRIGGERS = """
SELECT c.relname::text AS "table", t.tgname::text AS name
FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
"""
_PG_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


async def _postgres() -> tuple[set[str], dict[str, Shape]]:
    tables = {row["name"] for row in await fetch(_PG_TABLES)}
    shapes: dict[str, Shape] = defaultdict(Shape)
    for row in await fetch(_PG_COLUMNS):
        shapes[row["table"]].columns[row["column"]] = ColumnShape(
            type=postgres_type(row["data_type"], row["length"]),
            not_null=row["not_null"],
            default=normalise_default(row["default"]),
        )
    for row in await fetch(_PG_INDEXES):
        items = shapes[row["table"]].items
        if row["is_unique"] and not row["is_primary"] and not row["partial"]:
            items["unique key"][columns_text(row["columns"])] = ""
        if not row["made_by_constraint"]:  # CREATE INDEX (not a column's UNIQUE, not a primary key)
            where = " WHERE …" if row["partial"] else ""
            items["index"][row["index"]] = index_text(row["columns"], unique=row["is_unique"]) + where
    for row in await fetch(_PG_CONSTRAINTS):
        items = shapes[row["table"]].items
        if row["kind"] == "p":
            items["primary key"]["primary key"] = columns_text(row["columns"])
        elif row["kind"] == "c":
            items["check"][row["name"]] = normalise_condition(row["definition"])
        else:
            items["foreign key"][", ".join(row["columns"])] = foreign_key_text(
                row["target"],
                ", ".join(row["target_columns"]),
                _PG_ACTIONS[row["on_delete"]],
                _PG_ACTIONS[row["on_update"]],
            )
    for row in await fetch(_PG_TRIGGERS):
        shapes[row["table"]].items["trigger"][row["name"]] = ""
    return tables, dict(shapes)
