"""Helpers for back-office tests: users in each role, logged-in clients."""

from typing import Any

from django.contrib.auth.models import Group, User
from django.test import Client

from blisko.accounts.tests.helpers import second_factor_verify
from blisko.core.roles import roles_sync
from blisko.officers.models import Role
from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory
from blisko.territories.models import Area

VINNYTSIA_OBLAST = "UA05000000000010236"
DNIPRO_OBLAST = "UA12000000000090473"
VINNYTSIA_HROMADA = "UA05020030000031457"  # Вінницька міська громада
DNIPRO_HROMADA_PREFIX = "UA12"
KONIN_GMINA = "3062011"


def user_in_role(username: str, role: str | None, **fields: Any) -> User:
    """A staff user in the group `role` (administrator, supervisor, officer or None)."""
    if role is not None and not Group.objects.filter(name=role).exists():
        roles_sync()  # a transactional test before this one emptied the tables
    user = User.objects.create_user(username=username, password="pw", is_staff=True, **fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


def supervisor_of(region_code: str, username: str = "supervisor") -> User:
    """A supervisor user linked to an officer assigned as supervisor of the region."""
    user = user_in_role(username, "supervisor")
    officer = OfficerFactory(user=user, rank="підполковник поліції")
    AssignmentFactory(
        officer=officer, area=Area.objects.get(code=region_code), role=Role.SUPERVISOR
    )
    return user


def officer_user_of(area: Area, username: str = "officer") -> User:
    """An officer user linked to an officer serving `area` as its community officer."""
    user = user_in_role(username, "officer")
    officer = OfficerFactory(user=user)
    AssignmentFactory(officer=officer, area=area, role=Role.COMMUNITY_OFFICER)
    return user


def logged_in(user: User, language: str = "en", second_factor: bool | None = None) -> Client:
    """A client logged in as `user`, asking for pages in `language`.

    A staff user's session (the back office's users) is verified by an authenticator app, as
    the back office requires (BLISKO_ADMIN_OTP_REQUIRED); `second_factor` decides otherwise.
    """
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    if second_factor or (second_factor is None and user.is_staff):
        second_factor_verify(client, user)
    return client
