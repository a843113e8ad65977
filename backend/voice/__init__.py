"""Voice calls for villagers who cannot read: the flows' questions spoken, a key pressed taken
as the same answer an SMS gives (``backend.sms.conversation``), calls placed within their
budget (``backend.outbox.calls``), the provider's reports stored first, then applied."""
