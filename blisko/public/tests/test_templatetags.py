from django.utils import translation

from blisko.public.templatetags.public_tags import (
    breakable_email,
    cover_reason_label,
    role_label,
    tel_href,
)


def test_tel_href_keeps_only_digits_and_the_leading_plus():
    assert tel_href("+380 (43) 255-10-20") == "+380432551020"
    assert tel_href(" 997 ") == "997"
    assert tel_href("63 24+0") == "63240"
    assert tel_href("") == ""


def test_role_label_is_the_translated_role_with_a_capital():
    with translation.override("en"):
        assert role_label("traffic_officer") == "Traffic officer"
    assert role_label("no_such_role") == "no_such_role"


def test_cover_reason_label_names_the_reason():
    with translation.override("en"):
        assert cover_reason_label("sick") == "sick leave"
    assert cover_reason_label("") == ""


def test_breakable_email_escapes_the_address_and_adds_break_points():
    assert breakable_email("a.b@c.pl") == "a.b<wbr>@c.pl"
    assert breakable_email('<x>"@y') == "&lt;x&gt;&quot;<wbr>@y"
