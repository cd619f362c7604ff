"""The back office's roles: Django groups with fixed permissions.

- administrator: everything on Blisko's own apps, plus users and groups;
- supervisor: assigns officers in their region (view/add/change assignments, view/change
  officers and units, view areas and places); reads the register of reports of the region
  (reports, their history, attachments, "seen too" confirmations) and the categories;
- officer: looks, never edits (view areas, units, officers and assignments; the reports of
  their areas, their history and attachments, and the categories);
- analyst: reads the diagnosis of every area (statistics, incidents, their categories and
  the areas) and every priority action plan, never a report's details; edits nothing;
- community head: no back office at all; their page (`/community/`) shows their community only
  (blisko.partnerships.models.CommunityHead ties the account to it).

Memoranda, meetings and presence are viewed in the admin by the police roles (the supervisor and
the officer: their areas'); they are written on the police pages through the services. Rollout
targets and community heads' accounts are the administrator's.

Plans are viewed in the admin by every police role; they are written, approved and evaluated
on the police pages through the plans' services (`/police/plans/`).

Report workflow moves (take up, confirm, resolve...) are not admin permissions: they happen on
the police pages through the workflow services, which check the user's areas.

Which areas a supervisor or an officer sees is decided by `areas_for_user`
(blisko.officers.selectors); the group only decides what they may do there.
"""

from typing import Any

ADMINISTRATOR = "administrator"
SUPERVISOR = "supervisor"
OFFICER = "officer"
ANALYST = "analyst"
COMMUNITY_HEAD = "community_head"

# Blisko's own apps: the administrator gets every permission on every model in them.
BLISKO_APPS = (
    "core",
    "territories",
    "officers",
    "reports",
    "diagnosis",
    "plans",
    "partnerships",
    "engagement",
)
_ALL = ("view", "add", "change", "delete")

ROLE_PERMISSIONS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    ADMINISTRATOR: {("auth", "user"): _ALL, ("auth", "group"): _ALL},
    SUPERVISOR: {
        ("officers", "assignment"): ("view", "add", "change"),
        ("officers", "officer"): ("view", "change"),
        ("officers", "unit"): ("view", "change"),
        ("territories", "area"): ("view",),
        ("territories", "place"): ("view",),
        ("reports", "category"): ("view",),
        ("reports", "report"): ("view",),
        ("reports", "reportevent"): ("view",),
        ("reports", "attachment"): ("view",),
        ("reports", "seenconfirmation"): ("view",),
        ("diagnosis", "statisticcategory"): ("view",),
        ("diagnosis", "statistic"): ("view",),
        ("diagnosis", "incidentcategory"): ("view",),
        ("diagnosis", "incident"): ("view",),
        ("plans", "plan"): ("view",),
        ("plans", "planaction"): ("view",),
        ("partnerships", "memorandum"): ("view",),
        ("partnerships", "memorandumarea"): ("view",),
        ("partnerships", "partner"): ("view",),
        ("partnerships", "obligation"): ("view",),
        ("partnerships", "fulfilment"): ("view",),
        ("partnerships", "rollouttarget"): ("view",),
        ("engagement", "meeting"): ("view",),
        ("engagement", "question"): ("view",),
        ("engagement", "presenceday"): ("view",),
    },
    OFFICER: {
        ("territories", "area"): ("view",),
        ("officers", "unit"): ("view",),
        ("officers", "officer"): ("view",),
        ("officers", "assignment"): ("view",),
        ("reports", "category"): ("view",),
        ("reports", "report"): ("view",),
        ("reports", "reportevent"): ("view",),
        ("reports", "attachment"): ("view",),
        ("diagnosis", "statisticcategory"): ("view",),
        ("diagnosis", "statistic"): ("view",),
        ("diagnosis", "incidentcategory"): ("view",),
        ("diagnosis", "incident"): ("view",),
        ("plans", "plan"): ("view",),
        ("plans", "planaction"): ("view",),
        ("partnerships", "memorandum"): ("view",),
        ("partnerships", "memorandumarea"): ("view",),
        ("partnerships", "partner"): ("view",),
        ("partnerships", "obligation"): ("view",),
        ("partnerships", "fulfilment"): ("view",),
        ("partnerships", "rollouttarget"): ("view",),
        ("engagement", "meeting"): ("view",),
        ("engagement", "question"): ("view",),
        ("engagement", "presenceday"): ("view",),
    },
    ANALYST: {
        ("territories", "area"): ("view",),
        ("reports", "category"): ("view",),
        ("diagnosis", "statisticcategory"): ("view",),
        ("diagnosis", "statistic"): ("view",),
        ("diagnosis", "incidentcategory"): ("view",),
        ("diagnosis", "incident"): ("view",),
        ("plans", "plan"): ("view",),
        ("plans", "planaction"): ("view",),
        ("partnerships", "memorandum"): ("view",),
        ("partnerships", "memorandumarea"): ("view",),
        ("partnerships", "partner"): ("view",),
        ("partnerships", "obligation"): ("view",),
        ("partnerships", "fulfilment"): ("view",),
        ("partnerships", "rollouttarget"): ("view",),
        ("engagement", "meeting"): ("view",),
    },
    COMMUNITY_HEAD: {},
}


def roles_sync(*, apps: Any = None) -> None:
    """Create the groups (or reset their permissions to the ones above).

    `apps` is a migration's app registry; without it the live models are used. Missing
    permissions are created first, so this works inside a migration on a fresh database.
    Idempotent.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    registry = apps or global_apps
    for app_config in registry.get_app_configs():
        # In a migration the historical app configs have no models module; the helpers
        # skip such apps, so mark them as having one while creating what is missing.
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        try:
            create_contenttypes(app_config, verbosity=0, apps=registry)
            create_permissions(app_config, verbosity=0, apps=registry)
        finally:
            app_config.models_module = had_models

    Group = registry.get_model("auth", "Group")
    Permission = registry.get_model("auth", "Permission")
    for name, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for (app_label, model), actions in grants.items():
            codenames = [f"{action}_{model}" for action in actions]
            wanted += list(
                Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
        if name == ADMINISTRATOR:
            wanted += list(Permission.objects.filter(content_type__app_label__in=BLISKO_APPS))
        group.permissions.set(wanted)


def roles_remove(*, apps: Any = None) -> None:
    """Delete the groups (the reverse of the data migration)."""
    from django.apps import apps as global_apps

    Group = (apps or global_apps).get_model("auth", "Group")
    Group.objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()
