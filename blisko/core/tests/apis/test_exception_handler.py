import pytest


@pytest.mark.django_db
def test_a_refused_parameter_is_named_in_the_message(client):
    response = client.get("/api/v1/directory?since=-1", headers={"accept-language": "en"})

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "“since”: Ensure this value is greater than or equal to 0."
    assert body["extra"] == {
        "fields": {"since": ["Ensure this value is greater than or equal to 0."]}
    }


@pytest.mark.django_db
def test_an_application_error_keeps_its_message_and_extra(client):
    response = client.get("/api/v1/areas/locate?lat=abc&lon=1", headers={"accept-language": "en"})

    assert response.status_code == 400
    assert response.json() == {"message": "“lat” must be a number.", "extra": {"field": "lat"}}


@pytest.mark.django_db
def test_a_refused_method_answers_with_message_and_extra(client):
    response = client.delete("/api/v1/places/search", headers={"accept-language": "en"})

    assert response.status_code == 405
    assert response.json() == {"message": 'Method "DELETE" not allowed.', "extra": {}}
