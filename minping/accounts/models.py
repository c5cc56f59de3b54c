from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minping.lib.identity import MOBILE_RE, parse_phone


def _valid_mobile(value: str) -> None:
    try:
        if not MOBILE_RE.match(parse_phone(value)):
            raise ValueError
    except ValueError:
        raise ValidationError(_("Enter an 11-digit mobile number.")) from None


class User(AbstractUser):
    """A person who logs in. Everything they see or change is limited to `region`'s subtree."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("System administrator")
        ORGANISER = "organiser", _("Organiser")
        OFFICE = "office", _("Street or community office")
        CADRE = "cadre", _("Cadre")
        HANDLER = "handler", _("Department handler")
        GRID_WORKER = "grid_worker", _("Grid worker")
        INTERVIEWER = "interviewer", _("Interviewer")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICE)
    region = models.ForeignKey("org.Region", models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("region"))
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="handlers")
    cadre = models.OneToOneField("org.Cadre", models.SET_NULL, null=True, blank=True, related_name="account")
    phone = models.CharField(
        _("mobile phone"),
        max_length=20,
        blank=True,
        validators=[_valid_mobile],
        help_text=_("For text messages: overdue problems, reminders."),
    )

    CONSOLE_ROLES = {Role.ADMIN, Role.ORGANISER, Role.OFFICE}

    def clean(self):
        super().clean()
        try:
            self.phone = parse_phone(self.phone) if self.phone else ""  # stored as the gateway takes it: 11 digits
        except ValueError:
            pass  # the field's validator names the problem

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def can_use_console(self) -> bool:
        return self.is_system_admin or (self.role in self.CONSOLE_ROLES and self.region_id is not None)

    @property
    def person_name(self) -> str:
        """The name a person is shown by: their cadre's, else their full name, else the account name."""
        return (self.cadre.name if self.cadre_id else "") or self.get_full_name() or self.username


class ApiKey(models.Model):
    """A key for the JSON API, acting with its user's role and region. Only a digest of the secret is kept."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    is_revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Session(AbstractBaseSession):
    """A login session. It names its user, so that the session and the user's row are read in one statement on
    every request (`accounts.sessions`); a user's sessions go with the user."""

    user = models.ForeignKey(User, models.CASCADE, null=True, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from minping.accounts.sessions import SessionStore

        return SessionStore
