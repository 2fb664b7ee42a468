"""E-mail off the request (core.mail, core.tasks): queued only once the transaction commits,
nothing on a rollback, retried on a passing failure of the mail server, never sent twice.

Tasks run eagerly here (tests/conftest.py); tests/core/test_worker.py runs a real worker."""

from __future__ import annotations

import smtplib
import socket
from contextlib import suppress

import pytest
from django.core import mail
from django.db import transaction
from kombu import pools

from core.mail import send_after_commit
from core.tasks import MAX_RETRIES, is_transient, send_email
from registry.celery import app
from tests.core.mail_backends import FailingBackend

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.core.mail_backends.FailingBackend"


@pytest.fixture
def failing_backend(settings):
    # Eager tasks that propagate their errors would raise a retry instead of running it: here
    # the task runs as on a worker, retries included (at once).
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    settings.EMAIL_BACKEND = FAILING_BACKEND
    FailingBackend.failures = []
    FailingBackend.attempts = 0
    yield FailingBackend
    FailingBackend.failures = []
    app.conf.task_eager_propagates = saved


def message(**extra) -> dict:
    return {
        "subject": "Votre signalement",
        "body": "Bonjour,\nMerci.",
        "recipients": ["lectrice@example.org"],
        **extra,
    }


class Boom(Exception):
    pass


def test_sent_after_the_commit_only(mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.DEFAULT_FROM_EMAIL = "registre@example.org"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        key = send_after_commit(
            **message(html_body="<p>Merci.</p>", reply_to=["equipe@example.org"])
        )
        assert mailoutbox == []  # not before the commit
    assert len(callbacks) == 1
    (sent,) = mailoutbox
    assert (sent.subject, sent.body, sent.to) == (
        "Votre signalement",
        "Bonjour,\nMerci.",
        ["lectrice@example.org"],
    )
    assert sent.from_email == "registre@example.org"
    assert sent.reply_to == ["equipe@example.org"]
    assert sent.alternatives[0][:2] == ("<p>Merci.</p>", "text/html")
    assert sent.extra_headers["Message-ID"] == f"<{key}@example.org>"


def test_nothing_is_sent_when_the_transaction_rolls_back(
    mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        suppress(Boom),
        transaction.atomic(),
    ):
        send_after_commit(**message())
        raise Boom
    assert callbacks == []
    assert mailoutbox == []


def test_a_passing_failure_is_retried(failing_backend):
    failing_backend.failures = [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPResponseException(451, b"Try again later"),
    ]
    result = send_email.apply(kwargs=message(key="k-retry"))
    assert result.successful() and result.result is True
    assert failing_backend.attempts == 3
    assert len(mail.outbox) == 1


def test_retries_stop_after_the_last_and_raise(failing_backend):
    failing_backend.failures = [ConnectionRefusedError(111, "refused")] * (MAX_RETRIES + 1)
    result = send_email.apply(kwargs=message())
    assert result.failed() and isinstance(result.result, ConnectionRefusedError)
    assert failing_backend.attempts == MAX_RETRIES + 1
    assert mail.outbox == []


def test_a_refused_recipient_is_not_retried_and_the_commit_stands(
    failing_backend, django_capture_on_commit_callbacks, caplog
):
    failing_backend.failures = [
        smtplib.SMTPRecipientsRefused({"lectrice@example.org": (550, b"No such user")})
    ]
    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit(**message())  # the failure is logged, not raised into the request
    assert failing_backend.attempts == 1
    assert mail.outbox == []
    assert "No such user" in caplog.text  # logged


def test_a_second_delivery_of_the_same_email_sends_nothing():
    kwargs = message(key="k-twice")
    assert send_email.apply(kwargs=kwargs).result is True
    assert send_email.apply(kwargs=kwargs).result is False
    assert len(mail.outbox) == 1


def test_with_the_queue_down_the_email_is_sent_from_the_request(
    mailoutbox, django_capture_on_commit_callbacks
):
    saved = {name: app.conf[name] for name in ("task_always_eager", "broker_url")}
    # A broker on a port bound but never listening: every connection is refused at once.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        app.conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{port}/0")
        _drop_connections()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                send_after_commit(**message())
        finally:
            app.conf.update(saved)
            _drop_connections()
    assert len(mailoutbox) == 1


def _drop_connections() -> None:
    # The application and kombu keep broker connections and producer pools: a new broker_url
    # takes effect only without them.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("closed"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPResponseException(421, b"busy"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"greylisted")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"unknown")}), False),
        (smtplib.SMTPSenderRefused(553, b"refused", "x@example.org"), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (ValueError("bad header"), False),
    ],
)
def test_which_failures_are_retried(error, transient):
    assert is_transient(error) is transient
