"""What a person shows the network: their profile, and the one way a display name is made."""

import zoneinfo

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.text import clean_text, storable
from network.models import SPOKEN_LANGUAGES, Profile, User

# What the profile form holds, for every caller (taggit keeps names in 100 characters).
MAX_LABELS, MAX_LABEL_LENGTH = 15, 50


def default_name(user: User) -> str:
    """The name an account starts with, until its owner chooses one."""
    return user.email.split("@")[0][:120]


def name_of(user: User) -> str:
    """What the network calls this person in what it tells others: their display name."""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else user.email


def clean_display_name(value: object) -> str:
    """A display name as the network stores it, whichever way it came in, or refused."""
    name = clean_text(value, model=Profile, field="display_name", error=DomainError)
    if not name:
        raise DomainError(gettext_lazy("A display name is required."))
    return name


def unique_handle(name: str, *, excluding: Profile | None = None) -> str:
    base = slugify(name)[:50] or "member"
    handle, n = base, 2
    taken = Profile.objects.exclude(pk=excluding.pk) if excluding else Profile.objects.all()
    while taken.filter(handle=handle).exists():
        handle, n = f"{base}{n}", n + 1
    return handle


def ensure_profile(*, user: User) -> Profile:
    """Every account has a profile; its first display name comes from the email address."""
    local = default_name(user)
    profile, _created = Profile.objects.get_or_create(
        user=user, defaults={"display_name": local, "handle": unique_handle(local)}
    )
    return profile


def rename(profile: Profile, display_name: object) -> None:
    """Set the name (and the handle that follows it) on the profile; the caller saves."""
    display_name = clean_display_name(display_name)
    if not profile.handle or slugify(profile.display_name) != slugify(display_name):
        profile.handle = unique_handle(display_name, excluding=profile)
    profile.display_name = display_name


def _labels(values: list[str]) -> list[str]:
    labels = sorted({storable(str(value)).strip() for value in values} - {""})
    if len(labels) > MAX_LABELS:
        raise DomainError(gettext_lazy("At most 15 areas of expertise."))
    if any(len(label) > MAX_LABEL_LENGTH for label in labels):
        raise DomainError(gettext_lazy("Each area of expertise is at most 50 characters."))
    return labels


@transaction.atomic
def update_profile(
    *,
    profile: Profile,
    display_name: str,
    languages: list[str],
    time_zone: str,
    preferred_language: str = "",
    bio: str = "",
    expertise: list[str] | None = None,
) -> Profile:
    display_name = clean_display_name(display_name)
    bio = clean_text(bio, model=Profile, field="bio", error=DomainError)
    if expertise is not None:
        expertise = _labels(expertise)
    unknown = set(languages) - {code for code, _label in SPOKEN_LANGUAGES}
    if unknown:
        raise DomainError(
            _("Unknown languages: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    if time_zone not in zoneinfo.available_timezones():
        raise DomainError(_("Unknown time zone: %(zone)s.") % {"zone": time_zone})
    rename(profile, display_name)
    profile.languages = sorted(set(languages))
    profile.time_zone = time_zone
    profile.preferred_language = preferred_language
    profile.bio = bio
    profile.save()
    if expertise is not None:
        profile.expertise.set(expertise, clear=True)
    return profile
