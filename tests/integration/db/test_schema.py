"""The migrated database, on either engine, is what the table classes say: no more, no less.

The classes are the one readable description of the schema (backend.db.declared); the
migrations are what makes it. A column, key, index, check, foreign key or trigger on one side
only fails here, naming the table, the item and the side to fix.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from piccolo.table import Table

from backend.db.session import is_sqlite
from backend.piccolo_app import TABLES
from tests.integration.db.migrated import migrated_shapes, sqlite_checks
from tests.integration.db.shapes import DECLARED, KINDS, WHERE, ColumnShape, Shape, declared_shape

ENGINE = "sqlite" if is_sqlite() else "postgres"
PICCOLO_OWN = {"migration"}  # Piccolo's record of the migrations that ran
BY_NAME = {table._meta.tablename: table for table in TABLES}

Migrated = tuple[set[str], dict[str, Shape]]


@pytest.fixture(scope="module")
async def migrated() -> Migrated:
    return await migrated_shapes()


def _class(table: type[Table]) -> str:
    return f"{table.__module__}.{table.__name__}"


def _item(kind: str, name: str, what: str) -> str:
    return " ".join(part for part in (kind, name, what) if part)


def _missing(table: type[Table], kind: str, name: str, what: str) -> str:
    return (
        f"{ENGINE}: {table._meta.tablename}: {_item(kind, name, what)} is declared on {_class(table)} "
        "but not in the migrated database: add a new migration that makes it (or remove it from the class)"
    )


def _extra(table: type[Table], kind: str, name: str, what: str) -> str:
    return (
        f"{ENGINE}: {table._meta.tablename}: {_item(kind, name, what)} is in the migrated database but not declared "
        f"on {_class(table)}: declare it there ({WHERE[kind]}), or drop it in a new migration"
    )


def _differences(table: type[Table], kind: str, declared: Mapping[str, str], found: Mapping[str, str]) -> list[str]:
    problems = [_missing(table, kind, name, what) for name, what in declared.items() if name not in found]
    problems += [_extra(table, kind, name, what) for name, what in found.items() if name not in declared]
    problems += [
        f"{ENGINE}: {table._meta.tablename}: {kind} {name}: {_class(table)} declares {what!r}, "
        f"the migrated database has {found[name]!r}"
        for name, what in declared.items()
        if name in found and found[name] != what
    ]
    return problems


def _column_differs(declared: ColumnShape, found: ColumnShape) -> bool:
    # A default only the class has is no difference: Piccolo sends every value it inserts.
    default_differs = found.default is not None and found.default != declared.default
    return declared.type != found.type or declared.not_null != found.not_null or default_differs


def test_the_database_has_every_registered_table_and_no_other(migrated: Migrated) -> None:
    tables, _shapes = migrated
    missing = sorted(set(BY_NAME) - tables)
    extra = sorted(tables - set(BY_NAME) - PICCOLO_OWN)
    assert not missing, f"{ENGINE}: tables registered in backend.piccolo_app but never migrated: {missing}"
    assert not extra, f"{ENGINE}: tables in the migrated database that no class in backend.piccolo_app has: {extra}"


def test_every_column_has_the_type_nullability_and_default_its_class_declares(migrated: Migrated) -> None:
    _tables, shapes = migrated
    problems: list[str] = []
    for name, table in BY_NAME.items():
        declared, found = declared_shape(table, ENGINE).columns, shapes.get(name, Shape()).columns
        problems += [
            _missing(table, "column", column, str(shape)) for column, shape in declared.items() if column not in found
        ]
        problems += [
            _extra(table, "column", column, str(shape)) for column, shape in found.items() if column not in declared
        ]
        problems += [
            f"{ENGINE}: {name}.{column}: {_class(table)} declares {declared[column]}, "
            f"the migrated database has {found[column]}"
            for column in declared.keys() & found.keys()
            if _column_differs(declared[column], found[column])
        ]
    assert not problems, "\n".join(sorted(problems))


@pytest.mark.parametrize("kind", KINDS)
def test_every_key_index_check_and_trigger_is_declared_on_its_table(migrated: Migrated, kind: str) -> None:
    _tables, shapes = migrated
    problems: list[str] = []
    for name, table in BY_NAME.items():
        declared = declared_shape(table, ENGINE).items[kind]
        problems += _differences(table, kind, declared, shapes.get(name, Shape()).items[kind])
    assert not problems, "\n".join(sorted(problems))


def test_tables_declare_nothing_the_schema_test_would_not_read() -> None:
    """A misspelt declaration (``UNIQUES``) would be read by nobody."""
    unknown = {
        _class(table): attribute
        for table in TABLES
        for attribute in vars(table)
        if attribute.isupper() and attribute not in DECLARED
    }
    assert not unknown, f"not a declaration of backend.db.declared: {unknown}"


def test_checks_are_read_from_sqlite_table_text() -> None:
    """SQLite keeps CHECKs only in the text of ``CREATE TABLE`` (none of ours has one yet)."""
    create = 'CREATE TABLE t ("a" INTEGER CHECK (a > 0), b TEXT, CONSTRAINT "b_short" CHECK (length(b) <= 4))'
    assert sqlite_checks(create) == {"<unnamed 1>": "a>0", "b_short": "lengthb<=4"}
