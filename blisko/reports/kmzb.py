"""The 27 categories of Poland's National Map of Security Threats (KMZB), as Blisko seeds them.

(code, Polish, Ukrainian, English, verifier role, public precision). Road categories go to
traffic officers; reports about people in a vulnerable situation are not shown precisely.
"""

from typing import Any

LOCAL, TRAFFIC = "local", "traffic"
EXACT, REDUCED, HIDDEN = "exact", "reduced", "hidden"

KMZB_CATEGORIES: list[tuple[str, str, str, str, str, str]] = [
    ("vandalism", "akty wandalizmu", "акти вандалізму", "vandalism", LOCAL, EXACT),
    (
        "unauthorised-bathing",
        "dzikie kąpieliska",
        "несанкціоновані місця купання",
        "unauthorised bathing spots",
        LOCAL,
        EXACT,
    ),
    (
        "illegal-dump",
        "dzikie wysypiska śmieci",
        "стихійні сміттєзвалища",
        "illegal dumps",
        LOCAL,
        EXACT,
    ),
    (
        "minors-at-risk",
        "grupowanie się małoletnich zagrożonych demoralizacją",
        "скупчення неповнолітніх, яким загрожує деморалізація",
        "gatherings of minors at risk",
        LOCAL,
        HIDDEN,
    ),
    ("poaching", "kłusownictwo", "браконьєрство", "poaching", LOCAL, EXACT),
    (
        "dangerous-waterside",
        "miejsca niebezpieczne na terenach wodnych",
        "небезпечні місця біля водойм",
        "dangerous places by water",
        LOCAL,
        EXACT,
    ),
    (
        "dangerous-water",
        "miejsca niebezpieczne na wodach",
        "небезпечні місця на воді",
        "dangerous places on water",
        LOCAL,
        EXACT,
    ),
    (
        "dangerous-venue",
        "miejsce niebezpiecznej działalności rozrywkowej",
        "місце небезпечної розважальної діяльності",
        "dangerous entertainment venue",
        LOCAL,
        EXACT,
    ),
    (
        "illegal-felling",
        "nielegalna wycinka drzew",
        "незаконна вирубка дерев",
        "illegal tree felling",
        LOCAL,
        EXACT,
    ),
    (
        "illegal-racing",
        "nielegalne rajdy samochodowe",
        "незаконні автоперегони",
        "illegal car racing",
        TRAFFIC,
        EXACT,
    ),
    (
        "improper-parking",
        "nieprawidłowe parkowanie",
        "неправильне паркування",
        "improper parking",
        TRAFFIC,
        EXACT,
    ),
    (
        "unguarded-track-crossing",
        "niestrzeżone przejście przez tory",
        "неохоронюваний перехід через колії",
        "unguarded track crossing",
        LOCAL,
        EXACT,
    ),
    (
        "unguarded-level-crossing",
        "niestrzeżony przejazd kolejowy",
        "неохоронюваний залізничний переїзд",
        "unguarded level crossing",
        TRAFFIC,
        EXACT,
    ),
    (
        "road-infrastructure",
        "niewłaściwa infrastruktura drogowa",
        "неналежна дорожня інфраструктура",
        "inadequate road infrastructure",
        TRAFFIC,
        EXACT,
    ),
    (
        "destroying-greenery",
        "niszczenie zieleni",
        "знищення зелених насаджень",
        "destroying greenery",
        LOCAL,
        EXACT,
    ),
    (
        "homeless-in-need",
        "osoba bezdomna wymagająca pomocy",
        "безхатня особа, яка потребує допомоги",
        "homeless person needing help",
        LOCAL,
        REDUCED,
    ),
    (
        "quads-in-forest",
        "poruszanie się po terenach leśnych quadami",
        "їзда квадроциклами лісом",
        "quad bikes in forests",
        LOCAL,
        EXACT,
    ),
    (
        "speeding",
        "przekraczanie dozwolonej prędkości",
        "перевищення дозволеної швидкості",
        "speeding",
        TRAFFIC,
        EXACT,
    ),
    (
        "public-drinking",
        "spożywanie alkoholu w miejscach niedozwolonych",
        "розпивання алкоголю в заборонених місцях",
        "drinking in prohibited places",
        LOCAL,
        EXACT,
    ),
    ("drownings", "utonięcia", "утоплення", "drownings", LOCAL, EXACT),
    (
        "drug-use",
        "używanie środków odurzających",
        "вживання наркотичних речовин",
        "drug use",
        LOCAL,
        HIDDEN,
    ),
    (
        "stray-dogs",
        "wałęsające się bezpańskie psy",
        "бездомні собаки, що блукають",
        "stray dogs",
        LOCAL,
        EXACT,
    ),
    ("grass-burning", "wypalanie traw", "випалювання трави", "grass burning", LOCAL, EXACT),
    (
        "wild-animal-road",
        "zdarzenia drogowe z udziałem zwierząt leśnych",
        "ДТП за участю диких тварин",
        "road incidents with wild animals",
        TRAFFIC,
        EXACT,
    ),
    (
        "animal-cruelty",
        "znęcanie się nad zwierzętami",
        "жорстоке поводження з тваринами",
        "animal cruelty",
        LOCAL,
        REDUCED,
    ),
    (
        "poor-traffic-organisation",
        "zła organizacja ruchu drogowego",
        "погана організація дорожнього руху",
        "poor traffic organisation",
        TRAFFIC,
        EXACT,
    ),
    ("begging", "żebractwo", "жебрацтво", "begging", LOCAL, REDUCED),
]


def kmzb_categories_seed(category_model: Any) -> None:
    """Write the KMZB categories (created, or put back as listed here) into `category_model`:
    the model itself, or migration 0002's historical one. Safe to run again."""
    for order, (code, pl, uk, en, role, precision) in enumerate(KMZB_CATEGORIES, start=1):
        category_model.objects.update_or_create(
            code=code,
            defaults={
                "name_pl": pl,
                "name_uk": uk,
                "name_en": en,
                "verifier_role": role,
                "precision": precision,
                "sort_order": order * 10,
            },
        )
