"""Orders: what the brand needs made."""

from typing import ClassVar

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member
from backend.db.declared import Checks


class Order(Table, tablename="production_order"):
    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    craft = Varchar(length=32, help_text="The code of one of the brand's crafts.")
    quantity = Integer()
    unit_price_fen = BigInt(help_text="Piece rate in fen (1 yuan = 100 fen).")
    hours_tenths = Integer(
        null=True,
        default=None,
        help_text="Estimated working time per piece in tenths of an hour (25 = 2.5 hours); null: not estimated.",
    )
    due_date = Date()
    quality_notes = Text(default="")
    photo_ids = Text(default="[]", help_text="JSON list of reference photo ids, shown with every offer.")
    status = Varchar(length=16, default="open", help_text="open or cancelled.")
    quantity_accepted = Integer(default=0, help_text="Sum of accepted quantities; never above quantity.")
    created_by = ForeignKey(Member, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)

    # SQLite has none (see backend.db.declared): accepting reserves pieces with a conditional
    # UPDATE on both engines (backend.jobs.service).
    POSTGRES_CHECKS: ClassVar[Checks] = {
        "order_accepted_within_quantity": "quantity_accepted >= 0 AND quantity_accepted <= quantity"
    }
