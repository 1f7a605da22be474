from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member: researcher, moderator or admin. The public never signs in.

    A custom model from the first migration, so that fields can be added later without the
    painful swap of Django's default user.
    """

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def can_log(self):
        return self.is_active and self.has_perm("cases.log_entries")

    @property
    def can_review(self):
        return self.is_active and self.has_perm("cases.review_entries")
