"""The SMS providers, one file each behind one port (``base``): ``console`` (the server log and
the SMS simulator), ``twilio`` and ``aliyun`` (sending, and what their webhooks carry), and the
``registry`` that chooses by ``CUNJIANG_SMS_PROVIDER``. Voice providers sit behind their own
port (``calls``): ``console`` and ``aliyun_voice``, chosen by ``CUNJIANG_VOICE_PROVIDER``. A new
provider (Tencent Cloud, Twilio voice) is a file here and a line in the registry, and passes
the contract suite in ``tests/integration/gateways/``."""

from backend.gateways.base import (
    BatchGateway,
    Found,
    Lookup,
    LookupGateway,
    SendError,
    SendResult,
    Sms,
    SmsGateway,
)
from backend.gateways.calls import Call, CallGateway, Placed
from backend.gateways.console import ConsoleCaller, ConsoleGateway

__all__ = [
    "BatchGateway",
    "Call",
    "CallGateway",
    "ConsoleCaller",
    "ConsoleGateway",
    "Found",
    "Lookup",
    "LookupGateway",
    "Placed",
    "SendError",
    "SendResult",
    "Sms",
    "SmsGateway",
]
