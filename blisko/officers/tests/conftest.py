import pytest


@pytest.fixture
def actor(django_user_model):
    """The back-office user who makes the changes under test."""
    return django_user_model.objects.create_user(username="supervisor", password="secret")
