"""Artisans from a spreadsheet: every row checked by the rules of one artisan, then all written or none.

A coordinator keeps the brand's artisans in Excel or WPS; columns are named in Chinese or
English. Each cell is checked with the same rules as ``POST /artisans`` (``accounts.rules``,
``core.phones``, the brand's crafts), in a few queries for the whole file, and every
problem is reported with its row and column, so that one round trip fixes the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from backend.accounts import rules
from backend.accounts.schemas import MAX_CRAFTS, ArtisanCreate, ImportResult, MemberRead
from backend.accounts.service import created_event
from backend.audit.service import record_events
from backend.core.access import STAFF, require_role
from backend.core.errors import DomainError, ImportInvalid, Invalid, PhoneTaken, RowProblem, TooLarge
from backend.core.i18n import DEFAULT_LOCALE, N_
from backend.core.phones import normalize_phone
from backend.core.sheets import Table, column_letter, read_table
from backend.core.text import filled
from backend.core.types import Name, Principal, Role, utcnow
from backend.crafts import craft_codes_by_name, craft_key
from backend.db.session import insert_rows, write_transaction

MAX_ROWS = 5000
MAX_BYTES = 5 * 2**20
MAX_REPORTED = 1000  # problems listed in the answer (all rows with problems are counted)

# Header → column, compared by ``craft_key`` (case, width and spaces ignored).
HEADERS = {
    "姓名": "name",
    "name": "name",
    "手机": "phone",
    "手机号": "phone",
    "phone": "phone",
    "村": "village",
    "村寨": "village",
    "village": "village",
    "手艺": "crafts",
    "crafts": "crafts",
    "仅短信": "sms_only",
    "sms_only": "sms_only",
    "接电话": "takes_calls",
    "takes_calls": "takes_calls",
    "语言": "locale",
    "locale": "locale",
    "通话语言": "voice_language",
    "voice_language": "voice_language",
}
# How the columns are named in messages: both names, whatever the reader's language.
KNOWN = (
    "姓名 (name), 手机 (phone), 村 (village), 手艺 (crafts), 仅短信 (sms_only), 接电话 (takes_calls), "
    "语言 (locale), 通话语言 (voice_language)"
)
REQUIRED = {"name": "姓名 (name)", "phone": "手机 (phone)", "village": "村 (village)"}
YES = frozenset({"是", "yes", "y", "1", "true"})
NO = frozenset({"否", "no", "n", "0", "false", ""})
CRAFT_SEPARATORS = re.compile(r"[、,，;；/\s]+")
VILLAGE_ID = re.compile(r"[0-9]{1,10}")
PERSON_COLUMNS = ("phone", "sms_only", "takes_calls", "locale", "voice_language", "created_at")
MEMBER_COLUMNS = ("brand", "person", "role", "name", "village", "crafts", "created_at")


class NewArtisan(msgspec.Struct, frozen=True):
    row: int
    name: str
    phone: str
    village: int
    crafts: list[str]
    sms_only: bool
    takes_calls: bool
    locale: str
    voice_language: str | None


@dataclass
class Lookups:
    """What the cells are checked against, read once per file."""

    village_ids: dict[int, str]
    villages_by_name: dict[str, list[int]] = field(default_factory=dict)
    crafts: dict[str, str] = field(default_factory=dict)
    recorded: frozenset[str] = frozenset()  # the languages the brand recorded its prompts in


class Invite(Protocol):
    """Add someone Cunjiang knows (``backend.memberships.service.join_or_invite``): asked while
    she works with another brand, else registered at once (her membership is the answer)."""

    async def __call__(self, actor: Principal, person_id: int, data: ArtisanCreate) -> MemberRead | object: ...


async def import_artisans(actor: Principal, data: bytes, invite: Invite, *, dry_run: bool = False) -> ImportResult:
    """Create an artisan per row of a CSV or XLSX file, all in one transaction, or none.

    Refused whole (ImportInvalid, with each row's problems) when any row breaks a rule:
    a missing name, a phone that is not valid, used twice in the file or by a person
    already, a village or craft the brand does not have, a bad yes/no or language. With
    ``dry_run`` the file is only checked.
    """
    require_role(actor, *STAFF)
    if len(data) > MAX_BYTES:
        raise TooLarge(N_("The file is larger than {max_mb} MB."), max_mb=MAX_BYTES // 2**20)
    table = read_table(data, max_rows=MAX_ROWS)
    columns = _columns(table.header)
    if dry_run:
        found = await _checked(actor.brand_id, table, columns)
        return ImportResult(rows=len(found), imported=0, artisans=[], dry_run=True)
    async with write_transaction():  # on SQLite the write lock: no phone is taken between check and write
        found = await _checked(actor.brand_id, table, columns)
        known = await rules.people_by_phone([artisan.phone for artisan in found])
        new = [artisan for artisan in found if artisan.phone not in known]
        ids = await _insert(actor.brand_id, new)
        events = [
            created_event(member_id, Role.ARTISAN, artisan.phone, artisan.village, artisan.crafts)
            for artisan, member_id in zip(new, ids, strict=True)
        ]
        await record_events(actor, actor.brand_id, events)
        invited = 0
        for artisan in found:  # in the file's order: ids of those registered join the others'
            if artisan.phone in known:
                added = await invite(actor, known[artisan.phone], _asked(artisan))
                if isinstance(added, MemberRead):
                    ids.append(added.id)
                else:
                    invited += 1
    return ImportResult(rows=len(found), imported=len(ids), artisans=ids, invited=invited)


def _asked(artisan: NewArtisan) -> ArtisanCreate:
    return ArtisanCreate(
        name=artisan.name,
        phone=artisan.phone,
        village_id=artisan.village,
        crafts=artisan.crafts,
        sms_only=artisan.sms_only,
        takes_calls=artisan.takes_calls,
        locale=artisan.locale,
        voice_language=artisan.voice_language,
    )


def _columns(header: list[str]) -> list[str | None]:
    """Each header cell's column; refuses unknown, repeated and missing columns."""
    columns: list[str | None] = []
    unknown: list[str] = []
    for index, text in enumerate(header):
        column = HEADERS.get(craft_key(text)) if text else None
        if column is None:
            unknown.append(text[:40] or column_letter(index))  # a blank header is named by its letter
        elif column in columns:
            raise Invalid(N_("The column {column} appears twice."), fields={"file": "duplicate_column"}, column=text)
        columns.append(column)
    if unknown:
        raise Invalid(
            N_("Unknown columns: {columns}. The columns are {known}."),
            fields={"file": "unknown_columns"},
            columns=", ".join(unknown),
            known=KNOWN,
        )
    missing = [label for column, label in REQUIRED.items() if column not in columns]
    if missing:
        raise Invalid(
            N_("The file needs the columns {columns}."), fields={"file": "missing_columns"}, columns=", ".join(missing)
        )
    return columns


async def _lookups(brand_id: int) -> Lookups:
    found = Lookups(
        village_ids=await rules.brand_villages(brand_id),
        crafts=await craft_codes_by_name(brand_id),
        recorded=await rules.recorded_languages(brand_id),
    )
    for village_id, name in found.village_ids.items():
        found.villages_by_name.setdefault(craft_key(name), []).append(village_id)
    return found


async def _checked(brand_id: int, table: Table, columns: list[str | None]) -> list[NewArtisan]:
    """Every row as a new artisan, or ImportInvalid naming every problem of every row."""
    lookups = await _lookups(brand_id)
    problems: list[RowProblem] = []
    found: list[NewArtisan] = []
    phones: list[tuple[int, str]] = []  # every valid phone, also on rows with other problems
    for number, cells in table.rows:
        checked, row_problems = _row(number, columns, cells, lookups)
        problems += row_problems
        if "phone" in checked:
            phones.append((number, checked["phone"]))
        if not row_problems:
            found.append(NewArtisan(row=number, **checked))
    problems += _repeated_phones(phones)
    # The brand's own people only: someone of another brand is invited, and nothing says so.
    ours = await rules.brand_phones(brand_id, [phone for _number, phone in phones])
    problems += [RowProblem(number, "phone", PhoneTaken()) for number, phone in phones if phone in ours]
    if problems:
        problems.sort(key=lambda p: (p.row, ORDER.get(p.column, len(ORDER))))
        raise ImportInvalid(problems[:MAX_REPORTED], count=len({p.row for p in problems}))
    return found


def _row(
    number: int, columns: list[str | None], cells: list[str], lookups: Lookups
) -> tuple[dict[str, Any], list[RowProblem]]:
    """One row checked cell by cell: the values that passed, and the problems."""
    values = dict(zip(columns, cells, strict=False))
    checked: dict[str, Any] = {}
    problems: list[RowProblem] = []
    for column, check in CHECKS.items():
        try:
            checked[column] = check(values.get(column, ""), lookups)
        except DomainError as error:
            problems.append(RowProblem(number, column, error))
    if len(cells) > len(columns):  # trimmed rows end with a value: one no header names
        letter = column_letter(len(columns))
        stray = Invalid(N_("This cell is in a column without a header."), fields={letter: "no_header"})
        problems.append(RowProblem(number, letter, stray))
    return checked, problems


def _repeated_phones(phones: list[tuple[int, str]]) -> list[RowProblem]:
    """A phone on several rows: each of those rows is told which rows share it."""
    rows: dict[str, list[int]] = {}
    for number, phone in phones:
        rows.setdefault(phone, []).append(number)
    problems = []
    for numbers in rows.values():
        if len(numbers) > 1:
            error = Invalid(
                N_("This phone number is on several rows: {rows}."),
                fields={"phone": "duplicate_phone"},
                rows=", ".join(map(str, numbers)),
            )
            problems += [RowProblem(number, "phone", error) for number in numbers]
    return problems


def _name(text: str, _lookups: Lookups) -> str:
    name = filled(text, "name")
    try:
        return msgspec.convert(name, Name)  # the same limits as a name sent to the API
    except msgspec.ValidationError as error:
        raise Invalid(N_("A name is one line of at most 100 characters."), fields={"name": "invalid"}) from error


def _phone(text: str, _lookups: Lookups) -> str:
    return normalize_phone(filled(text, "phone"))


def _village(text: str, lookups: Lookups) -> int:
    """A village of the brand by its name, or by its id (names win: a village may be called 1)."""
    key = craft_key(filled(text, "village"))
    ids = lookups.villages_by_name.get(key, [])
    if len(ids) > 1:
        raise Invalid(
            N_("Several villages are called {village}: write the village's id instead."),
            fields={"village": "ambiguous_village"},
            village=text,
        )
    if ids:
        return ids[0]
    if VILLAGE_ID.fullmatch(key) and int(key) in lookups.village_ids:
        return int(key)
    raise Invalid(N_("The brand has no village {village}."), fields={"village": "unknown_village"}, village=text)


def _crafts(text: str, lookups: Lookups) -> list[str]:
    codes: list[str] = []
    for word in CRAFT_SEPARATORS.split(text.strip()):
        if not word:
            continue
        code = lookups.crafts.get(craft_key(word))
        if code is None:
            raise Invalid(
                N_("{craft} is not one of the brand's crafts."), fields={"crafts": "unknown_craft"}, craft=word
            )
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_CRAFTS:
        raise Invalid(N_("At most {max} crafts."), fields={"crafts": "too_many_crafts"}, max=MAX_CRAFTS)
    return codes


def _yes_no(column: str) -> Callable[[str, Lookups], bool]:
    """The check of a 是/否 column (an empty cell: no)."""

    def check(text: str, _lookups: Lookups) -> bool:
        word = craft_key(text)
        if word not in YES | NO:
            raise Invalid(N_("Write 是 or 否 (yes or no)."), fields={column: "invalid_yes_no"})
        return word in YES

    return check


def _locale(text: str, _lookups: Lookups) -> str:
    return rules.clean_locale(text) if text.strip() else DEFAULT_LOCALE


def _voice_language(text: str, lookups: Lookups) -> str | None:
    return rules.clean_voice_language(text, lookups.recorded)


# In the order of the report: problems of a row are listed column by column.
CHECKS: dict[str, Callable[[str, Lookups], Any]] = {
    "name": _name,
    "phone": _phone,
    "village": _village,
    "crafts": _crafts,
    "sms_only": _yes_no("sms_only"),
    "takes_calls": _yes_no("takes_calls"),
    "locale": _locale,
    "voice_language": _voice_language,
}
ORDER = {column: index for index, column in enumerate(CHECKS)}


async def _insert(brand_id: int, found: list[NewArtisan]) -> list[int]:
    """The new artisans' membership ids in the file's order: a person per row, then her
    membership (``insert_rows`` batches the statements; neither engine promises RETURNING in
    VALUES order, so people are matched by phone, unique, and memberships by person)."""
    now = utcnow()
    people = [(a.phone, a.sms_only, a.takes_calls, a.locale, a.voice_language, now) for a in found]
    person_ids = {
        row["phone"]: row["id"] for row in await insert_rows("person", PERSON_COLUMNS, people, returning="id, phone")
    }
    rows = [
        (brand_id, person_ids[a.phone], Role.ARTISAN.value, a.name, a.village, ",".join(a.crafts), now) for a in found
    ]
    made = await insert_rows("member", MEMBER_COLUMNS, rows, returning="id, person")
    ids = {row["person"]: row["id"] for row in made}
    return [ids[person_ids[a.phone]] for a in found]
