"""Aliyun voice (语音服务): interactive calls with the official SDK (``IvrCall``), and what its
HTTP pushes about them carry (``VoiceCallReport``: the keys pressed; ``VoiceReport``: the
call's end).

Aliyun speaks registered TTS templates or uploaded voice files: the prompt goes as its key's
template code (from ``ALIYUN_VMS_TEMPLATES``) with its variables as JSON, or, in a language
text-to-speech cannot speak, as the brand's voice file code without variables (a recorded
prompt, ``backend.voice.recordings``); our call id as ``OutId``. The menu maps
each answering key to the template that thanks her, and the repeat key to the prompt again.
``IvrCall`` is not idempotent: a call whose answer never came is not placed again blindly
(the report settles it, or the worker's next attempt within the budget).
"""

from __future__ import annotations

import json

import msgspec
from alibabacloud_dyvmsapi20170525 import models
from alibabacloud_dyvmsapi20170525.client import Client
from Tea.exceptions import TeaException, UnretryableException

from backend.gateways.aliyun_sdk import client_config, runtime
from backend.gateways.base import SEND_TIMEOUT_S, SendError
from backend.gateways.calls import Call, Placed
from backend.messages.registered import Codes

KEY_TIMEOUT_MS = 30_000  # how long a menu waits for a key (RapidPro's 30 s)
PLAY_TIMES = 2  # the prompt, and once more when no key comes
# Refusals a later attempt may get through (limits, balance, throttling); others are final.
RETRYABLE = {"isv.BUSINESS_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "Throttling.User", "isv.DAY_LIMIT_CONTROL"}
ANSWERED = "200000"  # VoiceReport: the call was answered (a status code, kept as Aliyun sends it)
PRESSED = "300000"  # VoiceCallReport: keys were pressed (dtmf)


class AliyunVoiceGateway:
    name = "aliyun"

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        show_number: str,
        *,
        endpoint: str,
        codes: Codes,
        timeout_s: float = SEND_TIMEOUT_S,
    ) -> None:
        self._client = Client(client_config(access_key_id, access_key_secret, endpoint))
        self._show_number = show_number
        self._codes = codes
        self._runtime = runtime(timeout_s)

    def _code(self, key: str, locale: str) -> str:
        code = self._codes.get((key, locale))
        if not code:
            raise SendError(f"no Aliyun TTS template code for {key} ({locale})", permanent=True)
        return code

    def _codes_of(self, call: Call) -> tuple[str, str | None, str]:
        """The prompt's code, its TTS variables (none for a voice file), and the thanks' code."""
        if call.recorded is not None:  # voice files: a recording has no variables to fill
            if not call.recorded.prompt_code or not call.recorded.answered_code:
                raise SendError(
                    f"no Aliyun voice file code for {call.prompt} ({call.recorded.language})", permanent=True
                )
            return call.recorded.prompt_code, None, call.recorded.answered_code
        start = self._code(call.prompt, call.locale)
        return start, json.dumps(call.variables, ensure_ascii=False), self._code(call.answered, call.locale)

    async def call(self, call: Call) -> Placed:
        start, params, thanks = self._codes_of(call)
        menu = [models.IvrCallRequestMenuKeyMap(key=key, code=thanks) for key in call.keys]
        menu.append(models.IvrCallRequestMenuKeyMap(key=call.repeat_key, code=start, tts_params=params))
        request = models.IvrCallRequest(
            called_number=call.to_phone.removeprefix("+86"),  # mainland numbers, without the country
            called_show_number=self._show_number,
            start_code=start,
            start_tts_params=params,
            menu_key_map=menu,
            play_times=PLAY_TIMES,
            timeout=KEY_TIMEOUT_MS,
            out_id=call.reference,
        )
        try:
            response = await self._client.ivr_call_with_options_async(request, self._runtime)
        except UnretryableException as error:
            raise SendError(f"aliyun voice unreachable: {error.inner_exception}") from error
        except TeaException as error:
            permanent = str(error.code) not in RETRYABLE and str(error.code).startswith("isv.")
            raise SendError(f"aliyun voice {error.code}: {error.message}", permanent=permanent) from error
        body = response.body
        if body.code != "OK" or not body.call_id:
            permanent = body.code not in RETRYABLE and str(body.code).startswith("isv.")
            raise SendError(f"aliyun voice {body.code}: {body.message}", permanent=permanent)
        return Placed(provider_call_id=str(body.call_id))


class AliyunKeysReport(msgspec.Struct):
    """A ``VoiceCallReport`` item: where a call stands; with ``status_code`` 300000, the keys pressed."""

    call_id: str
    status_code: str = ""
    dtmf: str = ""
    status_time: str = ""
    out_id: str = ""


class AliyunEndReport(msgspec.Struct):
    """A ``VoiceReport`` item: the call ended (answered or not, how long, the keys pressed)."""

    call_id: str
    status_code: str = ""
    status_msg: str = ""
    start_time: str = ""
    end_time: str = ""
    duration: int | str = 0
    dtmf: str = ""
    out_id: str = ""
    hangup_direction: str = ""
