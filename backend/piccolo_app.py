"""The one Piccolo app: every domain's tables, one migrations folder (backend/db/migrations).

Wiring, like ``app.py``: it sits above every domain, so that ``db`` knows none of them."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.accounts.tables import Brand, Consent, DeviceToken, Invitation, Member, Person, Village
from backend.alliance.tables import Alliance, AllianceBrand
from backend.audit.tables import AuditEvent
from backend.auth.tables import OtpCode
from backend.crafts.tables import Craft
from backend.db.tables import Counter
from backend.idempotency.tables import IdempotencyRecord
from backend.jobs.tables import Job, PriceFeedback, Submission
from backend.materials.tables import Kit, KitDecision, KitLine
from backend.messages.tables import LastQuestion, OptOut
from backend.orders.tables import Order
from backend.outbox.tables import OutboxMessage, VoiceCall
from backend.passports.tables import BrandKey, Passport, PassportScan
from backend.payouts.tables import Advance, Payout, StatementSms
from backend.photos.tables import Photo, Upload
from backend.sms.tables import DeadLetter, InboundSms
from backend.voice.tables import VoiceRecording, VoiceReport

TABLES = [
    Brand,
    Village,
    Person,
    Member,
    Invitation,
    Consent,
    Alliance,
    AllianceBrand,
    Craft,
    OtpCode,
    DeviceToken,
    Order,
    Job,
    Submission,
    PriceFeedback,
    Payout,
    StatementSms,
    Advance,
    Kit,
    KitLine,
    KitDecision,
    Passport,
    PassportScan,
    BrandKey,
    AuditEvent,
    OutboxMessage,
    VoiceCall,
    VoiceReport,
    VoiceRecording,
    Photo,
    Upload,
    InboundSms,
    LastQuestion,
    OptOut,
    DeadLetter,
    IdempotencyRecord,
    Counter,
]

APP_CONFIG = AppConfig(
    app_name="cunjiang",
    migrations_folder_path=str(Path(__file__).parent / "db" / "migrations"),
    table_classes=TABLES,
)
