"""The closed list of statistic categories Blisko seeds (migration 0002), with the map
categories (KMZB) that count the same threat. Offences as both countries' police statistics
group them (Polish "przestępstwa stwierdzone", Ukrainian "зареєстровані кримінальні
правопорушення"), plus the misdemeanours a community officer works against.

(code, Ukrainian, Polish, English, KMZB codes)
"""

import datetime as dt
from typing import Any

VALID_FROM = dt.date(2020, 1, 1)

STATISTIC_CATEGORIES: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("theft", "крадіжки", "kradzieże", "theft", ()),
    ("burglary", "крадіжки з проникненням", "kradzieże z włamaniem", "burglary", ()),
    ("robbery", "грабежі та розбої", "rozboje", "robbery", ()),
    ("bodily-harm", "тілесні ушкодження", "uszczerbek na zdrowiu", "bodily harm", ()),
    (
        "property-damage",
        "пошкодження майна",
        "zniszczenie mienia",
        "criminal damage",
        ("vandalism", "destroying-greenery"),
    ),
    (
        "drugs",
        "злочини, пов'язані з наркотиками",
        "przestępstwa narkotykowe",
        "drug offences",
        ("drug-use",),
    ),
    (
        "drink-driving",
        "керування в стані сп'яніння",
        "jazda pod wpływem alkoholu",
        "drink-driving",
        (),
    ),
    (
        "road-accidents",
        "ДТП з потерпілими",
        "wypadki drogowe",
        "road accidents with injuries",
        ("speeding", "illegal-racing", "wild-animal-road"),
    ),
    (
        "traffic-offences",
        "порушення правил дорожнього руху",
        "wykroczenia drogowe",
        "traffic offences",
        ("speeding", "improper-parking", "illegal-racing"),
    ),
    ("domestic-violence", "домашнє насильство", "przemoc domowa", "domestic violence", ()),
    ("fraud", "шахрайство", "oszustwa", "fraud", ()),
    (
        "public-order",
        "порушення громадського порядку",
        "wykroczenia porządkowe",
        "public order offences",
        ("public-drinking", "begging"),
    ),
    (
        "alcohol-in-public",
        "розпивання алкоголю в заборонених місцях",
        "spożywanie alkoholu w miejscach zabronionych",
        "drinking in prohibited places",
        ("public-drinking",),
    ),
    (
        "environmental",
        "екологічні правопорушення",
        "przestępstwa przeciwko środowisku",
        "environmental offences",
        ("illegal-dump", "illegal-felling", "poaching", "grass-burning", "quads-in-forest"),
    ),
    (
        "animal-cruelty",
        "жорстоке поводження з тваринами",
        "znęcanie się nad zwierzętami",
        "animal cruelty",
        ("animal-cruelty",),
    ),
    (
        "juvenile",
        "правопорушення неповнолітніх",
        "czyny karalne nieletnich",
        "juvenile offences",
        ("minors-at-risk",),
    ),
]


def statistic_categories_seed(category_model: Any, kmzb_model: Any) -> None:
    """Write the list (created, or put back as listed here) into `category_model`, its map
    categories from `kmzb_model`: the models, or a migration's historical ones."""
    for order, (code, uk, pl, en, kmzb) in enumerate(STATISTIC_CATEGORIES, start=1):
        category, _created = category_model.objects.update_or_create(
            code=code,
            defaults={
                "name_uk": uk,
                "name_pl": pl,
                "name_en": en,
                "valid_from": VALID_FROM,
                "sort_order": order * 10,
            },
        )
        category.kmzb_categories.set(kmzb_model.objects.filter(code__in=kmzb))


def incident_categories_seed(incident_model: Any, statistic_model: Any) -> None:
    """One incident category per statistic category, with its code and names and counting
    towards it: police incident systems record events under the offences of the statistics.
    A force whose system uses other categories adds them in the admin and maps them there."""
    for order, (code, uk, pl, en, _kmzb) in enumerate(STATISTIC_CATEGORIES, start=1):
        incident_model.objects.update_or_create(
            code=code,
            defaults={
                "name_uk": uk,
                "name_pl": pl,
                "name_en": en,
                "sort_order": order * 10,
                "statistic_category": statistic_model.objects.get(code=code),
            },
        )
