"""Words shown for stored values, marked for translation: a job's status as a person reads it."""

from __future__ import annotations

from backend.core.i18n import N_, translate

# Keyed by the status value stored on a job (backend.jobs.machine.Status). The msgid is the
# value itself, so an error that carries a raw status (``This job is {status}...``) is
# translated as it is rendered, without knowing where the word came from.
STATUS_LABELS: dict[str, str] = {
    "offered": N_("offered"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "expired": N_("expired"),
    "withdrawn": N_("withdrawn"),
    "submitted": N_("submitted"),
    "rework": N_("rework"),
    "approved": N_("approved"),
    "paid": N_("paid"),
    "confirmed": N_("confirmed"),
    "disputed": N_("disputed"),
    # an advance's own states (backend.payouts.schemas.AdvanceStatus), beside those above
    "requested": N_("requested"),
    "refused": N_("refused"),
    "lapsed": N_("lapsed"),
    # a material kit's own states (backend.materials.schemas.KitStatus)
    "handed_out": N_("handed out"),
    "received": N_("received"),
    "short": N_("short"),
    "adjusted": N_("adjusted"),
    "deducted": N_("deducted"),
}


def status_label(status: str, locale: str | None = None) -> str:
    """A job status in the reader's language (default: the current locale); unknown values as they are."""
    return translate(STATUS_LABELS.get(status, status), locale)
