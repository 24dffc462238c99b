"""Mailing the newsletter: recipients, the delivery ledger, the SMTP wire. The only network code."""
