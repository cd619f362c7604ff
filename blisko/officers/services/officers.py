"""Writes to officers: create, update and delete, each audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor
from blisko.officers.models import Assignment, Officer
from blisko.officers.services.records import record_delete, record_save


@transaction.atomic
def officer_save(*, officer: Officer, actor: Actor) -> Officer:
    """Create or update an officer built by a form (or in code).

    Preconditions: none; the officer is validated here (badge numbers are unique).
    Effects: saves only the changed fields, writes an audit event and a directory change.
    Deactivating an officer does not end their assignments; end them with assignment_end.
    """
    return record_save(
        instance=officer, actor=actor, entity="officers.officer", directory="officer"
    )


@transaction.atomic
def officer_delete(*, officer: Officer, actor: Actor) -> None:
    """Delete an officer who never had an assignment.

    Refused (ApplicationError) when the officer has assignments: their history must stay,
    so such an officer is deactivated instead (is_active = False).
    Effects: the row is deleted; an audit event and a directory deletion are written.
    """
    count = Assignment.objects.filter(officer=officer).count()
    if count:
        raise ApplicationError(
            _(
                "%(officer)s has %(count)d assignment(s), which must stay on record. "
                "Deactivate the officer instead of deleting them."
            )
            % {"officer": officer.full_name, "count": count}
        )
    record_delete(instance=officer, actor=actor, entity="officers.officer", directory="officer")
