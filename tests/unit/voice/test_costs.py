"""A call's cost when the provider says none: each minute started at the price a minute."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.core.settings import get_settings
from backend.voice.reports import Report, ReportKind, cost_of


@pytest.fixture
def price(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def _end(duration_s: int | None, cost_fen: int | None = None) -> Report:
    return Report(provider="aliyun", call_id="c1", kind=ReportKind.END, duration_s=duration_s, cost_fen=cost_fen)


@pytest.mark.parametrize(
    ("duration_s", "fen"), [(None, None), (0, None), (1, (12, True)), (60, (12, True)), (61, (24, True))]
)
def test_each_minute_started_costs_the_price_of_a_minute(
    price: pytest.MonkeyPatch, duration_s: int | None, fen: tuple[int, bool] | None
) -> None:
    price.setenv("CUNJIANG_VOICE_FEN_PER_MINUTE", "12")

    assert cost_of(_end(duration_s)) == fen


def test_the_providers_own_figure_wins_and_is_no_estimate(price: pytest.MonkeyPatch) -> None:
    price.setenv("CUNJIANG_VOICE_FEN_PER_MINUTE", "12")

    assert cost_of(_end(600, cost_fen=7)) == (7, False)
    assert cost_of(_end(None, cost_fen=0)) == (0, False)
