"""One place that turns refusals into `{"message", "extra"}` responses."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from blisko.core.exceptions import ApplicationError


def handle(exc, context):
    if isinstance(exc, ApplicationError):
        response = Response({"message": exc.message, "extra": exc.extra}, status=exc.status)
        if exc.status in (429, 503) and "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response
    if isinstance(exc, DjangoValidationError):
        extra = exc.message_dict if hasattr(exc, "error_dict") else {"errors": exc.messages}
        return Response(
            {"message": " ".join(exc.messages), "extra": extra}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        message = _("The request is not valid.")
        if isinstance(detail, dict) and detail:
            field, first = next(iter(detail.items()))
            if isinstance(first, list) and first:
                # Name the refused parameter: "since: Ensure this value is ... 0."
                message = str(first[0])
                if field != "non_field_errors":
                    message = f"“{field}”: {message}"
        elif isinstance(detail, list) and detail:
            message = str(detail[0])
        response.data = {"message": message, "extra": {"fields": detail}}
    else:
        response.data = {"message": str(getattr(exc, "detail", exc)), "extra": {}}
    return response
