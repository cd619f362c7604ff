from django.urls import path

from blisko.partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", views.memoranda, name="memoranda"),
    path("new/", views.memorandum_new, name="new"),
    path("<int:memorandum_id>/", views.memorandum, name="memorandum"),
    path("<int:memorandum_id>/edit/", views.memorandum_edit, name="edit"),
    path("<int:memorandum_id>/sign/", views.memorandum_sign, name="sign"),
    path("<int:memorandum_id>/terminate/", views.memorandum_terminate, name="terminate"),
    path("<int:memorandum_id>/document/", views.document, name="document"),
    path("<int:memorandum_id>/document/attach/", views.document_attach, name="document-attach"),
    path("<int:memorandum_id>/obligations/", views.obligation_new, name="obligation-new"),
    path(
        "<int:memorandum_id>/obligations/<int:obligation_id>/edit/",
        views.obligation_edit,
        name="obligation-edit",
    ),
    path(
        "<int:memorandum_id>/obligations/<int:obligation_id>/remove/",
        views.obligation_delete,
        name="obligation-remove",
    ),
    path(
        "<int:memorandum_id>/obligations/<int:obligation_id>/fulfilments/",
        views.fulfilment_new,
        name="fulfilment-new",
    ),
]
