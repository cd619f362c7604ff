"""What the demo is made of: its fixed areas and accounts, and the names, ranks, streets and
police stations it gives people and units (plausible Ukrainian and Polish ones, never real
people's)."""

import datetime as dt

from blisko.core.roles import ADMINISTRATOR, COMMUNITY_HEAD, OFFICER, SUPERVISOR
from blisko.officers.models import Role
from blisko.territories.models import Country

# Ukraine's hromadas and raions in these files date from the reform of 17 July 2020.
BOUNDARIES_VALID_FROM = dt.date(2020, 7, 17)

KONIN_GMINA = "3062011"

KONIN_POWIAT = "3062"

VINNYTSIA_OBLAST = "UA05000000000010236"

SEED = 20250702

# Demo-only passwords, printed at the end of every run; the demo serves on 127.0.0.1.
DEMO_ACCOUNTS = [
    ("admin", "blisko-admin", ADMINISTRATOR),
    ("supervisor_vinnytsia", "blisko-supervisor", SUPERVISOR),
    ("officer_konin", "blisko-officer", OFFICER),
]
# The community heads' accounts (their page: /community/), made with the partnerships demo.
HEAD_ACCOUNTS = [
    ("head_vinnytsia", "blisko-head", COMMUNITY_HEAD),
    ("head_konin", "blisko-head", COMMUNITY_HEAD),
]


UA_FIRST = {
    "m": ["Олександр", "Андрій", "Сергій", "Дмитро", "Іван", "Максим", "Богдан", "Тарас"],
    "f": ["Олена", "Наталія", "Ірина", "Оксана", "Тетяна", "Юлія", "Світлана", "Марія"],
}


# Surnames that are the same for women and men.
UA_LAST = [
    "Шевченко",
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Кравченко",
    "Олійник",
    "Шевчук",
    "Поліщук",
    "Бойко",
    "Ковальчук",
    "Савченко",
    "Руденко",
    "Мельник",
    "Лисенко",
    "Марченко",
    "Петренко",
    "Клименко",
    "Мороз",
]


PL_FIRST = {
    "m": ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Łukasz", "Jakub"],
    "f": ["Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Ewa", "Karolina"],
}


PL_LAST = [  # (for a man, for a woman)
    ("Nowak", "Nowak"),
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Mazur", "Mazur"),
    ("Jankowski", "Jankowska"),
]


RANKS = {
    (Country.UKRAINE, Role.COMMUNITY_OFFICER): [
        "старший лейтенант поліції",
        "капітан поліції",
        "лейтенант поліції",
        "майор поліції",
    ],
    (Country.UKRAINE, Role.SUPERVISOR): ["підполковник поліції", "полковник поліції"],
    (Country.POLAND, Role.DISTRICT_OFFICER): [
        "sierżant sztabowy",
        "aspirant",
        "młodszy aspirant",
        "starszy aspirant",
    ],
    (Country.POLAND, Role.TRAFFIC_OFFICER): ["sierżant", "starszy sierżant", "sierżant sztabowy"],
    (Country.POLAND, Role.SUPERVISOR): ["podinspektor", "młodszy inspektor"],
}


BIOS = {
    (Country.UKRAINE, Role.COMMUNITY_OFFICER): (
        "Поліцейський офіцер громади з {year} року. Приймає мешканців у поліцейській станції "
        "громади; звертайтеся з будь-яким питанням безпеки."
    ),
    (Country.UKRAINE, Role.SUPERVISOR): (
        "Керує роботою поліцейських офіцерів громад області з {year} року."
    ),
    (Country.POLAND, Role.DISTRICT_OFFICER): (
        "Dzielnicowy od {year} roku. Przyjmuje mieszkańców w siedzibie komendy; zgłoszenia "
        "także przez Krajową Mapę Zagrożeń Bezpieczeństwa."
    ),
    (Country.POLAND, Role.TRAFFIC_OFFICER): "Policjant ruchu drogowego od {year} roku.",
    (Country.POLAND, Role.SUPERVISOR): "Nadzoruje pracę dzielnicowych od {year} roku.",
}


UA_STREETS = [
    "вул. Соборна",
    "вул. Незалежності",
    "вул. Шевченка",
    "вул. Грушевського",
    "вул. Героїв Майдану",
    "просп. Миру",
    "вул. Київська",
    "вул. Центральна",
]


PL_STREETS = ["ul. Kolejowa", "ul. 3 Maja", "ul. Kościuszki", "ul. Mickiewicza", "ul. Polna"]


# Regional headquarters: name, city, (lon, lat) of the city, landline prefix, e-mail domain.
REGION_HQ = {
    "UA05000000000010236": (
        "Головне управління Національної поліції у Вінницькій області",
        "м. Вінниця",
        (28.4682, 49.2331),
        "+380 432",
        "vn.police.example",
    ),
    "UA12000000000090473": (
        "Головне управління Національної поліції в Дніпропетровській області",
        "м. Дніпро",
        (35.0462, 48.4647),
        "+380 56",
        "dp.police.example",
    ),
    "30": (
        "Komenda Wojewódzka Policji w Poznaniu",
        "60-844 Poznań",
        (16.9252, 52.4064),
        "+48 61",
        "wlkp.policja.example",
    ),
}


# Polish stations have fixed names (Polish place names decline); Ukrainian ones are built.
PL_STATIONS = {  # name, city, (lon, lat), e-mail's local part
    "3062": ("Komenda Miejska Policji w Koninie", "62-510 Konin", (18.2513, 52.2230), "kmp.konin"),
    "3010": ("Komisariat Policji w Kleczewie", "62-540 Kleczew", (18.1777, 52.3687), "kp.kleczew"),
}


KONIN_BEATS = [  # quadrant around the gmina's centroid, then the names pl / uk / en
    ("nw", "Śródmieście", "Середмістя", "City Centre"),
    ("ne", "Gosławice", "Гославіце", "Gosławice"),
    ("sw", "Stare Miasto", "Старе Місто", "Old Town"),
    ("se", "Morzysław", "Можислав", "Morzysław"),
]
