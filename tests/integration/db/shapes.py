"""A table's shape as its class declares it, and as the migrated database has it, in one form.

Every item is text keyed by name, so that the two sides compare with ``==`` and a difference
reads as what it is: ``index job_order_artisan: ("order", artisan)``. Unique keys are compared
by their columns, however they were made (a column's UNIQUE, a unique constraint, a
``CREATE UNIQUE INDEX``); indexes made by ``CREATE INDEX`` also by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from piccolo.columns import BigSerial, Column, ForeignKey, Serial
from piccolo.table import Table

from backend.db.declared import Checks, Keys, Names

KINDS = ("primary key", "unique key", "index", "foreign key", "check", "trigger")
# Where each kind is declared on a table class, for the message that asks for a declaration.
WHERE = {
    "column": "a column",
    "primary key": "its primary key column",
    "unique key": "a column's unique=True, or UNIQUE",
    "index": "a column's index=True, INDEXES or UNIQUE",
    "foreign key": "a ForeignKey (with its on_delete and on_update)",
    "check": "CHECKS or POSTGRES_CHECKS",
    "trigger": "SQLITE_TRIGGERS or POSTGRES_TRIGGERS",
}
# The class attributes of backend.db.declared; anything else in capitals is a typo.
DECLARED = {"UNIQUE", "INDEXES", "CHECKS", "POSTGRES_CHECKS", "SQLITE_TRIGGERS", "POSTGRES_TRIGGERS"}
# Piccolo's column types as PostgreSQL's information_schema names them.
POSTGRES_TYPES = {
    "SERIAL": "integer",
    "BIGSERIAL": "bigint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "VARCHAR": "character varying",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMPTZ": "timestamp with time zone",
}
# SQLite keeps the declared type; these mean the same integer storage.
SQLITE_INTEGERS = {"BIGINT", "SERIAL", "BIGSERIAL", "SMALLINT"}
SERIAL = "<serial>"


@dataclass(frozen=True)
class ColumnShape:
    type: str
    not_null: bool
    default: str | None  # normalised SQL; None for none (or NULL)

    def __str__(self) -> str:
        null = "NOT NULL" if self.not_null else "NULL"
        return f"{self.type} {null}" + ("" if self.default is None else f" DEFAULT {self.default}")


@dataclass
class Shape:
    columns: dict[str, ColumnShape] = field(default_factory=dict)
    # kind (KINDS) -> name -> what it is
    items: dict[str, dict[str, str]] = field(default_factory=lambda: {kind: {} for kind in KINDS})


def columns_text(columns: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(columns) + ")"


def index_text(columns: tuple[str, ...] | list[str], *, unique: bool) -> str:
    return ("UNIQUE " if unique else "") + columns_text(columns)


def foreign_key_text(target: str, target_column: str, on_delete: str, on_update: str) -> str:
    return f"{target}.{target_column} ON DELETE {on_delete.upper()} ON UPDATE {on_update.upper()}"


def sqlite_type(declared: str) -> str:
    """SQLite keeps a column's type as written: one spelling for the same integer storage."""
    text = declared.strip().upper().replace(" ", "")
    return "INTEGER" if text in SQLITE_INTEGERS else text


def postgres_type(data_type: str, length: int | None) -> str:
    return data_type if length is None else f"{data_type}({length})"


def class_type(column: Column, engine: str) -> str:
    """The type Piccolo gives ``column`` (``VARCHAR(64)``), spelt as ``engine`` reports it."""
    if engine == "sqlite":
        return sqlite_type(column.column_type)
    base, _, rest = column.column_type.upper().partition("(")
    return POSTGRES_TYPES.get(base, base.lower()) + (f"({rest}" if rest else "")


_CAST = re.compile(r"::[a-z ]+(\(\d+\))?$")
_QUOTED_NUMBER = re.compile(r"'(-?\d+(\.\d+)?)'")


def normalise_default(sql: str | None) -> str | None:
    if sql is None:
        return None
    text = _CAST.sub("", sql.strip())
    if text.lower().startswith("nextval("):
        return SERIAL
    if _QUOTED_NUMBER.fullmatch(text):
        text = text.strip("'")
    if not text.startswith("'"):
        text = text.lower()
    return None if text == "null" else text


_CONDITION_CASTS = re.compile(r"::(character varying|text|integer|bigint|smallint|boolean|numeric|date)")


def normalise_condition(sql: str) -> str:
    """A CHECK's condition without what engines add or drop: case, spaces, brackets, casts."""
    text = _CONDITION_CASTS.sub("", sql.lower())
    text = re.sub(r"^\s*check\b", "", text)
    return re.sub(r'[\s()"]', "", text)


def declared_shape(table: type[Table], engine: str) -> Shape:
    """The shape ``table`` declares: its columns, and what backend.db.declared lets it name."""
    shape = Shape()
    items = shape.items
    primary = table._meta.primary_key._meta.db_column_name
    items["primary key"] = {"primary key": columns_text([primary])}
    unique: Keys = getattr(table, "UNIQUE", {})
    indexes: Keys = getattr(table, "INDEXES", {})
    for column in table._meta.columns:
        name = column._meta.db_column_name
        shape.columns[name] = _declared_column(column, engine)
        if column._meta.unique:
            items["unique key"][columns_text([name])] = ""
        if column._meta.index:
            items["index"][table._get_index_name([name])] = index_text([name], unique=False)
        if isinstance(column, ForeignKey):
            meta = column._foreign_key_meta
            items["foreign key"][name] = foreign_key_text(
                meta.resolved_references._meta.tablename,
                meta.resolved_target_column._meta.db_column_name,
                meta.on_delete.value,
                meta.on_update.value,
            )
    for name, columns in unique.items():
        items["unique key"][columns_text(columns)] = ""
        items["index"][name] = index_text(columns, unique=True)
    for name, columns in indexes.items():
        items["index"][name] = index_text(columns, unique=False)
    checks: Checks = {
        **getattr(table, "CHECKS", {}),
        **(getattr(table, "POSTGRES_CHECKS", {}) if engine == "postgres" else {}),
    }
    items["check"] = {name: normalise_condition(condition) for name, condition in checks.items()}
    triggers: Names = getattr(table, f"{engine.upper()}_TRIGGERS", ())
    items["trigger"] = dict.fromkeys(triggers, "")
    return shape


def _declared_column(column: Column, engine: str) -> ColumnShape:
    if isinstance(column, (Serial, BigSerial)):
        default = SERIAL if engine == "postgres" else None
    else:
        default = normalise_default(column.get_sql_value(column.get_default_value()))
    return ColumnShape(type=class_type(column, engine), not_null=not column._meta.null, default=default)
