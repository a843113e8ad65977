"""Domain errors as the reader reads them: a refused transition names the job's status in their language."""

from __future__ import annotations

from backend.core.errors import InvalidTransition
from backend.core.i18n import current_locale
from backend.core.labels import STATUS_LABELS, status_label
from backend.http.errors import domain_body
from backend.jobs.machine import Status
from backend.materials.schemas import KitStatus
from backend.payouts.schemas import AdvanceStatus


def test_a_refused_transition_names_the_job_status_in_the_reader_language() -> None:
    token = current_locale.set("zh_Hans")
    try:
        assert domain_body(InvalidTransition(status="accepted")).message == "这个任务已接单，不能这样改。"
    finally:
        current_locale.reset(token)
    assert status_label("rework", "zh_Hans") == "需返工"
    assert status_label("rework", "en") == "rework"
    # a job's states, and an advance's (backend.payouts.schemas.AdvanceStatus)
    kits = {status.value for status in KitStatus}
    assert set(STATUS_LABELS) == {status.value for status in Status} | {s.value for s in AdvanceStatus} | kits
