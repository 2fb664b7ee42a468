"""A stand-in for a mail server that fails: Django's local-memory backend (``mail.outbox``),
raising the errors queued in ``FailingBackend.failures`` first, one per attempt."""

from __future__ import annotations

from django.core.mail.backends.locmem import EmailBackend


class FailingBackend(EmailBackend):
    failures: list[Exception] = []
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        return super().send_messages(messages)
