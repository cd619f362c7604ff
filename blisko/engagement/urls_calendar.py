# Scaffolding, replaced by the real routes of this part.
app_name = "calendar"
urlpatterns: list = []
