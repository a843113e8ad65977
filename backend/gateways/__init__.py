"""The SMS providers, one file each behind one port (``base``): ``console`` (the server log and
the SMS simulator), ``twilio`` and ``aliyun`` (sending, and what their webhooks carry), and the
``registry`` that chooses by ``CUNJIANG_SMS_PROVIDER``. A new provider (Tencent Cloud, a voice
service) is a file here and a line in the registry, and passes the contract suite in
``tests/integration/gateways/``."""

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
from backend.gateways.console import ConsoleGateway

__all__ = [
    "BatchGateway",
    "ConsoleGateway",
    "Found",
    "Lookup",
    "LookupGateway",
    "SendError",
    "SendResult",
    "Sms",
    "SmsGateway",
]
