"""Twilio Voice: the call placed with the official client's Calls API (any base URL, for
tests), then spoken as TwiML that Twilio fetches from our signed webhooks under
``/voice/twilio/``: ``<Say>`` the prompt (``<Play>`` its recording, in a language text-to-speech
cannot speak) inside a ``<Gather>`` of one key, the key posted back
as ``Digits``; its status callback reports the call's end (``AnsweredBy``: a machine).

Our call id rides in every webhook's address (``?call=ID``): Twilio may fetch the prompt
before the worker has recorded Twilio's CallSid. A menu is read as ``backend.voice.menu``
reads it; the keys pressed so far ride in the next ``<Gather>``'s address.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import msgspec
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from backend.gateways.base import SEND_TIMEOUT_S, SendError
from backend.gateways.calls import Call, Placed
from backend.gateways.twilio import RETRYABLE_STATUS

PROMPT_PATH = "/voice/twilio/prompt"
GATHER_PATH = "/voice/twilio/gather"
STATUS_PATH = "/voice/twilio/status"
KEY_TIMEOUT_S = 30  # how long a menu waits for a key (RapidPro's 30 s)
PLAY_TIMES = 2  # the prompt, and once more when no key comes
MAX_KEYS = 32  # keys pressed in one call, the repeat key included: then it ends
ENDED = frozenset({"completed", "no-answer", "busy", "failed", "canceled"})  # Twilio's final CallStatus
CONCURRENCY = 10  # threads: one per call of the worker's batch


def say_language(locale: str) -> str:
    """The text-to-speech voice for ``locale``: Chinese or English (what TTS speaks)."""
    return "zh-CN" if locale.startswith("zh") else "en-US"


def address(public_url: str, path: str, call_id: int, keys: str = "") -> str:
    query = {"call": str(call_id)} | ({"keys": keys} if keys else {})
    return f"{public_url}{path}?{urlencode(query)}"


class TwilioVoiceGateway:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        caller: str,
        *,
        api_base: str,
        public_url: str,
        timeout_s: float = SEND_TIMEOUT_S,
    ) -> None:
        self._client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout_s))
        self._client.api.base_url = api_base.rstrip("/")
        self._threads = ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="twilio-voice")
        self._caller = caller
        self._public_url = public_url

    def _create(self, call: Call) -> Any:
        return self._client.calls.create(
            to=call.to_phone,
            from_=self._caller,
            url=address(self._public_url, PROMPT_PATH, call.id),
            method="POST",
            status_callback=address(self._public_url, STATUS_PATH, call.id),
            status_callback_method="POST",
            machine_detection="Enable",
            timeout=KEY_TIMEOUT_S,
        )

    async def call(self, call: Call) -> Placed:
        try:
            # The client is blocking (requests): keep it off the event loop.
            created = await asyncio.get_running_loop().run_in_executor(self._threads, self._create, call)
        except TwilioRestException as error:
            permanent = 400 <= error.status < 500 and error.status not in RETRYABLE_STATUS
            raise SendError(f"twilio voice {error.status} {error.code}: {error.msg}", permanent=permanent) from error
        except (TwilioException, OSError) as error:
            raise SendError(f"twilio voice unreachable: {error}") from error
        return Placed(provider_call_id=str(created.sid))


def menu(words: str, locale: str, action: str, audio: str = "") -> bytes:
    """TwiML: the prompt, spoken (or its recording at ``audio`` played) while one key is
    awaited (``PLAY_TIMES`` times, while none comes; the key posted to ``action``), then the
    end of the call."""
    response = VoiceResponse()
    for _ in range(PLAY_TIMES):
        gather = response.gather(num_digits=1, timeout=KEY_TIMEOUT_S, action=action, method="POST")
        if audio:
            gather.play(audio)
        else:
            gather.say(words, language=say_language(locale))
    response.hangup()
    return str(response).encode()


def hang_up(words: str = "", locale: str = "", audio: str = "") -> bytes:
    """TwiML: ``words`` said, or the recording at ``audio`` played (if any), then the end of the call."""
    response = VoiceResponse()
    if audio:
        response.play(audio)
    elif words:
        response.say(words, language=say_language(locale))
    response.hangup()
    return str(response).encode()


class Posted(msgspec.Struct, frozen=True):
    """What a voice webhook's form says of the call: Twilio's CallSid, the key pressed (the
    gather), the status and who answered (the status callback), and the call's length."""

    call_sid: str
    digits: str
    status: str
    answered_by: str
    duration_s: int | None

    @property
    def machine(self) -> bool:
        return self.answered_by.startswith(("machine", "fax"))

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def answered(self) -> bool:
        """A person picked up (a machine never counts)."""
        return self.status == "completed" and not self.machine


def posted(form: Mapping[str, str]) -> Posted:
    duration = form.get("CallDuration", "")
    return Posted(
        call_sid=form.get("CallSid", "")[:64],
        digits="".join(key for key in form.get("Digits", "") if key.isdecimal() and key.isascii())[:1],
        status=form.get("CallStatus", ""),
        answered_by=form.get("AnsweredBy", ""),
        duration_s=int(duration) if duration.isdecimal() and duration.isascii() else None,
    )
