"""The base every public API view stands on."""

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class PublicApi(APIView):
    """A public, read-only endpoint: anyone may GET it, nobody may write through it.

    No authentication runs, so an anonymous request never touches the session table; views
    define only `get`, so POST, PUT, PATCH and DELETE answer 405.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
