"""Piece passports: one per approved submission, its scans per China day, and each brand's
signing keys."""

from typing import ClassVar

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from backend.accounts.tables import Brand, Member, Person
from backend.db.declared import Keys
from backend.orders.tables import Order


def _jobs(name: str) -> LazyTableReference:
    # Passports sit below jobs (an approval makes one): their rows are named, not imported.
    return LazyTableReference(table_class_name=name, module_path="backend.jobs.tables")


class Passport(Table, tablename="passport"):
    """The public record of one approved batch of pieces: made with the approval, never twice."""

    id = Varchar(length=32, primary_key=True, help_text="128 random bits, URL-safe: the label's /p/ID.")
    brand = ForeignKey(Brand, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    submission: ForeignKey[Table] = ForeignKey(
        _jobs("Submission"),
        null=False,
        unique=True,
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
        help_text="One passport per approved submission, enforced here.",
    )
    job: ForeignKey[Table] = ForeignKey(
        _jobs("Job"), null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action
    )
    order = ForeignKey(Order, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    person = ForeignKey(
        Person,
        null=False,
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
        help_text="The maker: her consent decides what the page shows.",
    )
    approved_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_reason = Text(default="")
    withdrawn_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    created_at = Timestamptz(default=TimestamptzNow())


class PassportScan(Table, tablename="passport_scan"):
    """How often a passport's page was opened on a China day; nothing about who opened it."""

    id: Serial
    passport = ForeignKey(Passport, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    day = Date(help_text="The China calendar day.")
    scans = Integer(default=0)

    UNIQUE: ClassVar[Keys] = {"passport_scan_passport_day": ("passport", "day")}


class BrandKey(Table, tablename="brand_key"):
    """A brand's Ed25519 key for signing its passports, made on first need. The private key
    is kept here in the database (see README, "Piece passports")."""

    id: Serial
    brand = ForeignKey(Brand, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    kid = Varchar(length=32, unique=True, help_text="The key id in signatures and the published key set.")
    public_key = Varchar(length=64, help_text="Raw public key, base64url.")
    private_key = Varchar(length=64, help_text="Raw private key, base64url: a secret.")
    created_at = Timestamptz(default=TimestamptzNow())
