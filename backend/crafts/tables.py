"""The crafts a brand works with: its own list, named in each language."""

from typing import ClassVar

from piccolo.columns import Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from backend.db.declared import Keys

# By reference: creating a brand gives it its first crafts (backend.accounts imports crafts).
BRAND = LazyTableReference("Brand", module_path="backend.accounts.tables")


class Craft(Table, tablename="craft"):
    id: Serial
    brand: ForeignKey[Table] = ForeignKey(BRAND, null=False, index=True)
    code = Varchar(length=32, help_text="Stable code used by orders and artisans, e.g. 'bamboo-weaving'.")
    names = Text(
        default="{}", help_text='JSON: the name per language, e.g. {"zh_Hans": "竹编", "en": "Bamboo weaving"}.'
    )
    active = Boolean(default=True, help_text="Retired crafts stay on old orders but take no new ones.")
    created_at = Timestamptz(default=TimestamptzNow())

    UNIQUE: ClassVar[Keys] = {"craft_brand_code": ("brand", "code")}
