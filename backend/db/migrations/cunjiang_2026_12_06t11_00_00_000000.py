"""Her own words on ``consent``: the text she approved, and a coordinator's proposal waiting for
her answer, numbered so that an answer to a replaced proposal approves nothing. And the step
of a conversation that asked last (``sms_conversation.step``): a flow may ask several
questions in turn (公开: her name, her village, her photo)."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consent.story_text, story_proposed, story_proposal, story_proposed_at; sms_conversation.step"

STATEMENTS = [
    'ALTER TABLE "consent" ADD COLUMN "story_text" TEXT DEFAULT null',
    'ALTER TABLE "consent" ADD COLUMN "story_proposed" TEXT DEFAULT null',
    'ALTER TABLE "consent" ADD COLUMN "story_proposal" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "consent" ADD COLUMN "story_proposed_at" TIMESTAMPTZ DEFAULT null',
    """ALTER TABLE "sms_conversation" ADD COLUMN "step" VARCHAR(32) NOT NULL DEFAULT ''""",
]
UNDO = [
    'ALTER TABLE "sms_conversation" DROP COLUMN "step"',
    'ALTER TABLE "consent" DROP COLUMN "story_proposed_at"',
    'ALTER TABLE "consent" DROP COLUMN "story_proposal"',
    'ALTER TABLE "consent" DROP COLUMN "story_proposed"',
    'ALTER TABLE "consent" DROP COLUMN "story_text"',
]

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
