"""A membership as others read it: with what belongs to her person (phone, language, channel)."""

from __future__ import annotations

from backend.accounts.tables import Member

# A membership as staff see it (``service.member_read``).
MEMBER_READ = (
    *Member.all_columns(),
    Member.person.phone.as_alias("phone"),
    Member.person.locale.as_alias("locale"),
    Member.person.sms_only.as_alias("sms_only"),
    Member.person.takes_calls.as_alias("takes_calls"),
    Member.person.voice_language.as_alias("voice_language"),
)
# What a message to her needs: where, in which language, and whether she is in the app lately.
CONTACT = (
    Member.id,
    Member.person.phone.as_alias("phone"),
    Member.person.locale.as_alias("locale"),
    Member.person.sms_only.as_alias("sms_only"),
    Member.person.last_seen_at.as_alias("last_seen_at"),
)
