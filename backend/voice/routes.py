"""The voice providers' webhooks. Aliyun's pushes (``VoiceCallReport`` and ``VoiceReport``), JSON
arrays of any length; Twilio's signed voice webhooks (below), answered with TwiML.

Guarded as its SMS pushes are (``?token=``, the same ``CUNJIANG_SMS_CALLBACK_TOKEN``, compared
in constant time before the body is read) and answered at once with the body Aliyun expects:
each report is stored once per call and kind (inbox-first), and applied just after the
response; a body that is not a JSON array is refused (400).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter, URLEncodedBody

from backend.core.errors import NotFound
from backend.core.types import Principal
from backend.gateways import aliyun, twilio, twilio_voice
from backend.http.params import MAX_ID, PhoneQuery
from backend.http.responses import NO_COMPRESSION
from backend.sms.aliyun_routes import RECEIVED, Token, read_items
from backend.voice import aliyun_push, recordings, reports, simulator, twilio_calls
from backend.voice.schemas import PressedKeys, RecordingCode, RecordingRead, Recordings, SimulatedCalls

REPORT_PATH = "/voice/aliyun/report"
TWIML = "text/xml"
CallId = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="Our id of the call")]
Keys = Annotated[str, QueryParameter(max_length=40, description="The keys pressed before, in this call")]


async def _apply(report_ids: list[int]) -> None:
    for report_id in report_ids:
        await reports.apply(report_id)


@post(REPORT_PATH, status_code=200, include_in_schema=False, opt={"exactly_once": "by_content"})
async def aliyun_voice_report(request: Request[Any, Any, Any], token: Token = None) -> Response[dict[str, object]]:
    """Calls' keys and ends: each stored once per call and kind, applied just after."""
    aliyun.check_push_token(token)
    stored = await aliyun_push.receive(await read_items(request))
    return Response(RECEIVED, background=BackgroundTask(_apply, stored) if stored else None)


# Twilio's voice webhooks: signed as its SMS webhooks are (the address with its query), once
# per Twilio call and kind of report; answered with TwiML at once, the report applied after.
def _verified(request: Request[Any, Any, Any], data: dict[str, str]) -> twilio_voice.Posted:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    twilio.verify_signature(path, data, request.headers.get("x-twilio-signature"))
    return twilio_voice.posted(data)


@post(twilio_voice.PROMPT_PATH, status_code=200, include_in_schema=False, opt={"exactly_once": "by_content"})
async def twilio_voice_prompt(
    request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], call: CallId
) -> Response[bytes]:
    """The call picked up: its prompt and its menu, as TwiML."""
    posted = _verified(request, data)
    return Response(await twilio_calls.prompt(call, posted), media_type=TWIML)


@post(twilio_voice.GATHER_PATH, status_code=200, include_in_schema=False, opt={"exactly_once": "by_content"})
async def twilio_voice_gather(
    request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], call: CallId, keys: Keys = ""
) -> Response[bytes]:
    """A key pressed: the answer taken once (just after), the prompt again, or the call ended."""
    posted = _verified(request, data)
    answered = await twilio_calls.pressed(call, keys, posted)
    stored = [answered.report_id] if answered.report_id is not None else []
    return Response(answered.twiml, media_type=TWIML, background=BackgroundTask(_apply, stored) if stored else None)


@post(twilio_voice.STATUS_PATH, status_code=204, include_in_schema=False, opt={"exactly_once": "by_content"})
async def twilio_voice_status(
    request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], call: CallId
) -> Response[None]:
    """The call's status: its end settles it (applied just after)."""
    stored = await twilio_calls.status(call, _verified(request, data))
    return Response(None, status_code=204, background=BackgroundTask(_apply, [stored]) if stored else None)


class CallViewController(Controller):
    tags = ("sms",)

    @get("/sms/simulator/calls", summary="The calls due or placed to a number, newest first (console gateways only)")
    async def calls(self, principal: NamedDependency[Principal], phone: PhoneQuery) -> SimulatedCalls:
        return await simulator.calls(principal, phone)

    @post(
        "/sms/simulator/calls/{call_id:int}/keys",
        status_code=200,
        summary="Press keys as the villager in a ringing call (console gateways only); the calls after them",
        # The keys are stored once per call (the report's own exactly-once) and carried out
        # outside the request's transaction: a refusal needs transactions of its own.
        opt={"exactly_once": "by_content"},
    )
    async def press(
        self,
        principal: NamedDependency[Principal],
        call_id: FromPath[int],
        data: JSONBody[PressedKeys],
    ) -> SimulatedCalls:
        return await simulator.press(principal, call_id, data)


Language = Annotated[str, PathParameter(max_length=16, description="The language recorded: hmn, doc, kmc…")]
Prompt = Annotated[str, PathParameter(max_length=64, description="The prompt's key in sms_flows/voice.toml")]


class RecordingController(Controller):
    """A brand's recorded prompts, for languages text-to-speech cannot speak (staff only)."""

    path = "/voice/recordings"
    tags = ("voice",)

    @get("", summary="The brand's recorded prompts by language, and the prompts each language still lacks")
    async def coverage(self, principal: NamedDependency[Principal]) -> Recordings:
        return await recordings.coverage(principal)

    @put("/{language:str}/{prompt:str}", summary="Register a prompt's Aliyun voice file code ('' takes it away)")
    async def set_code(
        self, principal: NamedDependency[Principal], language: Language, prompt: Prompt, data: JSONBody[RecordingCode]
    ) -> RecordingRead:
        return await recordings.set_code(principal, language, prompt, data)

    @put(
        "/{language:str}/{prompt:str}/audio",
        request_max_body_size=recordings.MAX_AUDIO_BYTES + 64 * 1024,  # a little over: our own 413 explains
        summary="Upload a prompt's recording as a WAV or MP3 file (multipart 'file'), for Twilio to play",
    )
    async def upload(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], language: Language, prompt: Prompt
    ) -> RecordingRead:
        sent = (await request.form()).get("file")
        if not isinstance(sent, UploadFile):
            raise ValidationException("a multipart 'file' is required")
        return await recordings.upload_audio(principal, language, prompt, await sent.read())

    @delete("/{language:str}/{prompt:str}", summary="Forget a prompt's recording (its code and its audio)")
    async def forget(self, principal: NamedDependency[Principal], language: Language, prompt: Prompt) -> None:
        await recordings.delete(principal, language, prompt)


@get(recordings.AUDIO_PATH + "/{name:str}", include_in_schema=False, opt={NO_COMPRESSION: True})
async def voice_audio(name: FromPath[str]) -> Response[bytes]:
    """A recorded prompt's audio, at its unguessable address (Twilio's <Play> fetches it)."""
    found = await recordings.audio(name)
    if found is None:
        raise NotFound()
    data, media_type = found
    return Response(data, media_type=media_type, headers={"cache-control": "public, max-age=86400"})
