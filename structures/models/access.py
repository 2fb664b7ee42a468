"""Territorial scopes of accounts and API tokens (rules: ``structures.permissions``).

An account's scope (``AccountScope``) is the territories it acts within, in its sessions and
through every one of its tokens: an agency's account sees the SMEs and private contacts located
there only. A token (``ApiToken``) may narrow it further with its own ``scope``; an empty token
scope adds no limit. A caller with no scope at all acts nationwide, which only registry
administrators may do with territorial rights (SME records, other structures' private contacts).

Only a hash of each token key is stored: the key itself is shown once, when the token is issued
(in the admin or by ``ApiToken.issue``), and cannot be read back.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import version_field

KEY_BYTES = 30  # 40 characters of URL-safe base64
PREFIX_LENGTH = 8
# last_used_at is refreshed at most this often: no write on every request.
LAST_USED_RESOLUTION_SECONDS = 60


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class AccountScope(models.Model):
    """The territories an account acts within, in its sessions and through its tokens."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="registry_scope",
        verbose_name=_("utilisateur"),
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territoires"),
        blank=True,
        related_name="+",
        help_text=_(
            "Régions, départements, EPCI ou communes où ce compte exerce ses droits (fiches des "
            "PME, contacts non publics des structures), en session comme avec ses jetons. "
            "Vide : aucun droit de ce type hors de ses propres structures, sauf pour un "
            "administrateur du registre."
        ),
    )
    # The account's other setting: the language of the e-mails the registry sends it (freshness
    # reminders); the site itself follows the browser.
    language = models.CharField(
        _("langue des courriels"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Langue des rappels envoyés à ce compte."),
    )
    version = version_field()
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("périmètre du compte")
        verbose_name_plural = _("périmètres des comptes")

    def __str__(self) -> str:
        return str(_("Périmètre de %(user)s") % {"user": self.user})


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        """Active, not expired, whose user is active."""
        now = timezone.now()
        return self.filter(is_active=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A key an agency's program sends as ``Authorization: Token <key>``."""

    name = models.CharField(
        _("nom"),
        max_length=200,
        help_text=_("À quoi sert le jeton, ex. « SIG de l'AD Occitanie »."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("utilisateur"),
        help_text=_("Le jeton agit avec les droits de cet utilisateur, limités à son périmètre."),
    )
    key_hash = models.CharField(
        _("empreinte de la clé"), max_length=64, unique=True, editable=False
    )
    prefix = models.CharField(
        _("début de la clé"),
        max_length=PREFIX_LENGTH,
        editable=False,
        help_text=_("Pour reconnaître un jeton sans stocker sa clé."),
    )
    scope = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("périmètre"),
        blank=True,
        related_name="+",
        help_text=_(
            "Territoires (région, département, EPCI, commune) auxquels le jeton donne accès, "
            "à l'intérieur du périmètre de son compte. Vide : le périmètre du compte."
        ),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(
        _("dernière utilisation"), null=True, blank=True, editable=False
    )
    version = version_field()

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "pk"]
        # The model moved from the ``core`` app; its table kept its name.
        db_table = "core_apitoken"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(KEY_BYTES)

    def set_key(self, key: str) -> None:
        self.key_hash = hash_key(key)
        self.prefix = key[:PREFIX_LENGTH]

    @classmethod
    def issue(cls, *, user, name: str, scope=()) -> tuple[ApiToken, str]:
        """Create a token; returns it with its key, which is never retrievable afterwards."""
        key = cls.new_key()
        token = cls(user=user, name=name)
        token.set_key(key)
        token.save()
        if scope:
            token.scope.set(scope)
        return token, key

    def touch(self) -> None:
        """Record a use, at most once a minute."""
        now = timezone.now()
        if (
            self.last_used_at is None
            or (now - self.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
