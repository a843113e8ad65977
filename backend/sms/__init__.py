"""SMS: Twilio webhooks (the conversation flows arrive with the SMS issue)."""
