import pytest

from blisko.core.text import site_language


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("uk", "uk"),
        ("pl-PL", "pl"),
        ("pl_PL", "pl"),
        (" EN-gb ", "en"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_a_language_code_names_a_site_language_or_none(code, language):
    assert site_language(code) == language
