"""The database: one Piccolo app for every domain's tables, the engine, transactions."""
