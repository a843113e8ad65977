"""The SMS gateway a benchmark's cluster sends through: the local Twilio or the local Aliyun of
the tests (tests/fakes/), the settings that point the workers at it, and what it was handed.

Villagers' SMS come in by Twilio's signed webhook either way, so its auth token is set too.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.aliyun_server import fake_aliyun
from tests.fakes.twilio_server import fake_twilio
from tests.integration.gateways.aliyun_setup import filled_sheet

TWILIO_TOKEN = "bench-auth-token"  # noqa: S105 - the local Twilio's, for signatures
OUR_NUMBER = "+15005550006"
NAMES = ("aliyun", "twilio")


@dataclass(frozen=True)
class LocalGateway:
    name: str
    env: dict[str, str]
    handed: Callable[[], list[tuple[str, str]]]  # every SMS it received: (phone, what it says)

    def duplicates(self) -> int:
        """SMS received more than once: the same words to the same phone (each message the
        benchmarks cause says something of its own: a job's code, an amount)."""
        sends = self.handed()
        return len(sends) - len(set(sends))


@contextlib.contextmanager
def local_gateway(name: str, folder: Path) -> Iterator[LocalGateway]:
    inbound = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_FROM": OUR_NUMBER}
    if name == "twilio":
        with fake_twilio() as twilio:
            env = inbound | {"CUNJIANG_SMS_PROVIDER": "twilio", "TWILIO_API_BASE": twilio.url}
            yield LocalGateway(name, env, lambda: [(m.get("To", ""), m.get("Body", "")) for m in twilio.messages])
        return
    with fake_aliyun() as aliyun:
        env = inbound | {
            "CUNJIANG_SMS_PROVIDER": "aliyun",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret",
            "ALIYUN_SMS_SIGN_NAME": "村匠",
            "ALIYUN_SMS_ENDPOINT": aliyun.url,
            "ALIYUN_SMS_TEMPLATES": str(filled_sheet(folder)),
        }
        yield LocalGateway(
            name,
            env,
            lambda: [(s.phone, s.template_code + json.dumps(s.params, sort_keys=True)) for s in aliyun.sent],
        )
