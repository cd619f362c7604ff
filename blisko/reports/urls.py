"""Police pages of the threat map: the officer's work queue and the supervisor's view."""

app_name = "reports"
urlpatterns: list = []
