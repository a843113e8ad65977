"""Tables of the database itself."""

from piccolo.columns import BigInt, Serial, Varchar
from piccolo.table import Table


class Counter(Table, tablename="counter"):
    """Monotonic counters updated inside write transactions (the job change feed)."""

    id: Serial
    name = Varchar(length=32, unique=True)
    value = BigInt(default=0)
