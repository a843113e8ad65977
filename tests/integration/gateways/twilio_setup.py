"""What the Twilio tests set up (here and in sms/): the account the fixture ``twilio_env``
configures, with the local Twilio-speaking server as its API."""

from __future__ import annotations

SID, TOKEN = "AC" + "0" * 32, "test-auth-token"
MESSAGING_SERVICE = "MG" + "1" * 32
