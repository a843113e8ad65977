"""The deployment's numbers are read strictly: a typo refuses to start, naming the variable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.core.settings import get_settings


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_deployment_defaults_keep_one_api_process_with_a_pool_of_twenty(
    fresh_settings: pytest.MonkeyPatch,
) -> None:
    for name in ("CUNJIANG_DATABASE_POOL_MAX", "CUNJIANG_API_PROCESSES", "CUNJIANG_WORKER_PROCESSES"):
        fresh_settings.delenv(name, raising=False)

    settings = get_settings()

    assert (settings.database_pool_max, settings.api_processes, settings.worker_processes) == (20, 1, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CUNJIANG_DATABASE_POOL_MAX", "0"),
        ("CUNJIANG_DATABASE_POOL_MAX", "twenty"),
        ("CUNJIANG_API_PROCESSES", "-1"),
        ("CUNJIANG_API_PROCESSES", "２"),  # fullwidth digit
        ("CUNJIANG_WORKER_PROCESSES", "1.5"),
        ("CUNJIANG_VOICE_FEN_PER_MINUTE", "-5"),
        ("CUNJIANG_VOICE_FEN_PER_MINUTE", "0.1"),  # yuan, not fen
        ("CUNJIANG_VOICE_FEN_PER_MINUTE", "10fen"),
    ],
)
def test_a_number_that_is_no_whole_count_refuses_to_start_naming_it(
    fresh_settings: pytest.MonkeyPatch, name: str, value: str
) -> None:
    fresh_settings.setenv(name, value)

    with pytest.raises(ValueError, match=name):
        get_settings()


def test_no_workers_is_a_deployment(fresh_settings: pytest.MonkeyPatch) -> None:
    fresh_settings.setenv("CUNJIANG_WORKER_PROCESSES", "0")

    assert get_settings().worker_processes == 0


def test_a_calls_price_per_minute_is_whole_fen_ten_by_default_and_may_be_nothing(
    fresh_settings: pytest.MonkeyPatch,
) -> None:
    fresh_settings.delenv("CUNJIANG_VOICE_FEN_PER_MINUTE", raising=False)
    assert get_settings().voice_fen_per_minute == 10
    get_settings.cache_clear()
    fresh_settings.setenv("CUNJIANG_VOICE_FEN_PER_MINUTE", "0")

    assert get_settings().voice_fen_per_minute == 0
