"""Demo engagement: a year of meetings with residents in Vinnytsia hromada, a dozen other
hromadas and Konin's beats (debates, residents' meetings, office hours, patrol walks, school
visits; most held with minutes, some cancelled, the next ones planned), with residents'
questions sent before them and moderated (published and answered, merged, rejected); and
six months of the officers' presence in their communities, imported as the CSV a unit would
send, giving monthly shares spread around the 80-90 % target. Meetings and questions go
through the services (the system as the actor), presence through `presence_import`."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from blisko.core.clock import country_zone
from blisko.demo.data import KONIN_GMINA, SEED
from blisko.engagement.models import AbsenceReason, Meeting, MeetingKind, PresenceDay
from blisko.engagement.services.meetings import meeting_cancel, meeting_create, meeting_hold
from blisko.engagement.services.presence_import import presence_import
from blisko.engagement.services.questions import (
    question_merge,
    question_publish,
    question_reject,
    question_submit,
)
from blisko.officers.models import PRIMARY_ROLES, Assignment
from blisko.territories.models import Area, Country, Level

VINNYTSIA_HROMADA = "UA05020030000031457"
OTHER_HROMADAS = 12  # besides Vinnytsia, the first hromadas (by code) with an officer
PRESENCE_MONTHS = 6

KINDS = [
    MeetingKind.RESIDENTS,
    MeetingKind.OFFICE_HOURS,
    MeetingKind.DEBATE,
    MeetingKind.PATROL_WALK,
    MeetingKind.SCHOOL_VISIT,
]
TEXTS: dict[str, dict[str, Any]] = {
    Country.UKRAINE: {
        "titles": {
            MeetingKind.RESIDENTS: "Зустріч із мешканцями: безпека на вулицях громади",
            MeetingKind.OFFICE_HOURS: "Прийом громадян поліцейським офіцером громади",
            MeetingKind.DEBATE: "Громадське обговорення: що турбує мешканців",
            MeetingKind.PATROL_WALK: "Спільний обхід із мешканцями та старостою",
            MeetingKind.SCHOOL_VISIT: "Урок безпеки в місцевій школі",
        },
        "places": ["Будинок культури", "Приміщення старостату", "Сільська рада", "Школа № 2"],
        "minutes": (
            "Офіцер розповів про звернення мешканців за останній місяць і що зроблено. "
            "Мешканці назвали місця, де небезпечно ввечері, і проблеми з паркуванням біля ринку."
        ),
        "decisions": (
            "Посилити вечірнє патрулювання біля ринку; звернутися до громади щодо освітлення "
            "вулиці; наступна зустріч — за місяць."
        ),
        "cancel": "Офіцера залучено до чергування в ГУНП; зустріч перенесено.",
        "about": (
            "Поліцейський офіцер громади розповість, що зроблено за зверненнями мешканців, "
            "і вислухає, що турбує вас на вашій вулиці."
        ),
        "questions": [
            "Чи можна поставити лежачого поліцейського біля школи?",
            "Хто відповідає за освітлення на нашій вулиці ввечері?",
            "Що робити, якщо сусіди щовечора гучно гуляють?",
            "Як повідомити про покинутий автомобіль у дворі?",
            "Чому біля ринку постійно паркуються на тротуарі?",
            "Чи буде патруль біля зупинки ввечері?",
        ],
        "answer": "Дякуємо за питання. Ми передали його громаді й перевіримо місце найближчим тижнем; про результат розповімо на зустрічі.",
        "reject": "Питання не стосується безпеки в громаді.",
        "partners": "Староста округу, представник громади",
    },
    Country.POLAND: {
        "titles": {
            MeetingKind.RESIDENTS: "Spotkanie z mieszkańcami rejonu",
            MeetingKind.OFFICE_HOURS: "Dyżur dzielnicowego",
            MeetingKind.DEBATE: "Debata społeczna „Razem dla bezpieczeństwa”",
            MeetingKind.PATROL_WALK: "Wspólny spacer z mieszkańcami i strażą miejską",
            MeetingKind.SCHOOL_VISIT: "Spotkanie z uczniami o bezpieczeństwie",
        },
        "places": [
            "Dom Kultury „Oskard”",
            "Szkoła Podstawowa nr 7",
            "Klub osiedlowy",
            "Komenda Miejska Policji",
        ],
        "minutes": (
            "Dzielnicowy przedstawił zgłoszenia z Krajowej Mapy Zagrożeń Bezpieczeństwa z "
            "ostatniego miesiąca. Mieszkańcy wskazali nieprawidłowe parkowanie i grupy "
            "spożywające alkohol przy pawilonie."
        ),
        "decisions": (
            "Kontrole parkowania przy pawilonie; wspólne patrole ze strażą miejską w piątki; "
            "wniosek do MZGM o doświetlenie przejścia."
        ),
        "cancel": "Dzielnicowy skierowany do zabezpieczenia imprezy masowej; nowy termin wkrótce.",
        "about": (
            "Dzielnicowy opowie o zgłoszeniach z Krajowej Mapy Zagrożeń Bezpieczeństwa i "
            "wysłucha, co niepokoi mieszkańców rejonu."
        ),
        "questions": [
            "Czy policja może częściej patrolować okolice przystanku wieczorem?",
            "Kto odpowiada za nieoświetlone przejście przy szkole?",
            "Co zrobić z samochodem porzuconym na parkingu od miesięcy?",
            "Dlaczego samochody ciągle parkują na chodniku przy sklepie?",
            "Jak zgłosić hałasujących sąsiadów po 22:00?",
            "Czy będzie kontrola prędkości na ulicy przy przedszkolu?",
        ],
        "answer": "Dziękujemy za pytanie. Sprawdzimy to miejsce w najbliższym tygodniu i opowiemy o wynikach na spotkaniu.",
        "reject": "Pytanie nie dotyczy bezpieczeństwa w rejonie.",
        "partners": "Straż Miejska w Koninie, Rada Osiedla",
    },
}


def engagement_demo_exists() -> bool:
    return Meeting.objects.exists() or PresenceDay.objects.exists()


def _areas() -> list[tuple[Area, list]]:
    """The areas that meet residents, each with its officers (those primary there)."""
    vinnytsia = list(Area.objects.filter(code=VINNYTSIA_HROMADA).defer("boundary"))
    others = list(
        Area.objects.filter(
            country=Country.UKRAINE,
            level=Level.COMMUNITY,
            valid_to__isnull=True,
            assignments__is_primary=True,
        )
        .exclude(code=VINNYTSIA_HROMADA)
        .defer("boundary")
        .distinct()
        .order_by("code")[:OTHER_HROMADAS]
    )
    beats = list(
        Area.objects.filter(parent__code=KONIN_GMINA, level=Level.SERVICE_AREA)
        .defer("boundary")
        .order_by("code")
    )
    out = []
    for area in vinnytsia + others + beats:
        officers = [
            a.officer
            for a in Assignment.objects.filter(
                area=area, is_primary=True, covers__isnull=True
            ).select_related("officer")
        ]
        if officers:
            out.append((area, officers[:1]))
    return out


def _at(day: dt.date, hour: int, minute: int, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def _ip(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _questions(meeting: Meeting, texts: dict, rng: random.Random, language: str) -> None:
    """Two to four questions before the meeting; one a duplicate (merged), now and then one
    off topic (rejected); the others published with an answer."""
    asked = []
    now = meeting.starts_at - dt.timedelta(days=2)
    for text in rng.sample(texts["questions"], rng.randrange(2, 5)):
        asked.append(
            question_submit(
                meeting=meeting, text=text, language=language, client_ip=_ip(rng), now=now
            )
        )
    duplicate = question_submit(
        meeting=meeting, text=asked[0].text, language=language, client_ip=_ip(rng), now=now
    )
    published = question_publish(actor=None, question=asked[0], answer=texts["answer"])
    question_merge(actor=None, question=duplicate, into=published)
    for question in asked[1:]:
        if rng.random() < 0.15:
            question_reject(actor=None, question=question, reason=texts["reject"])
        else:
            question_publish(actor=None, question=question, answer=texts["answer"])


def _meetings(rng: random.Random, log: Callable[[str], None]) -> int:
    now = timezone.now()
    made = 0
    for area, officers in _areas():
        zone = country_zone(area.country)
        texts = TEXTS[area.country]
        language = "uk" if area.country == Country.UKRAINE else "pl"
        local_name = (area.name_uk if language == "uk" else area.name_pl) or area.name_official
        today = now.astimezone(zone).date()
        day = today - dt.timedelta(days=360 + rng.randrange(0, 14))
        while day < today + dt.timedelta(days=45):
            day += dt.timedelta(days=rng.randrange(24, 40))
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            kind = rng.choice(KINDS)
            starts = _at(day, 17 if kind != MeetingKind.SCHOOL_VISIT else 10, 30, zone)
            meeting = meeting_create(
                actor=None,
                area=area,
                kind=kind,
                title=texts["titles"][kind],
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=90),
                address=f"{rng.choice(texts['places'])}, {local_name}",
                description=texts["about"],
                officers=officers,
                partners=texts["partners"]
                if kind in (MeetingKind.DEBATE, MeetingKind.PATROL_WALK)
                else "",
            )
            made += 1
            if starts > now:
                if rng.random() < 0.7:
                    _questions(meeting, texts, rng, language)
                continue
            if rng.random() < 0.1:
                meeting_cancel(actor=None, meeting=meeting, reason=texts["cancel"])
                continue
            if kind in (MeetingKind.RESIDENTS, MeetingKind.DEBATE) and rng.random() < 0.8:
                _questions(meeting, texts, rng, language)
            meeting_hold(
                actor=None,
                meeting=meeting,
                attendance=rng.randrange(6, 70),
                minutes=texts["minutes"],
                decisions=texts["decisions"],
            )
    log(f"{made} meetings with residents")
    return made


REASONS = [AbsenceReason.HQ_DUTY] * 5 + [AbsenceReason.TRAINING] * 2 + [AbsenceReason.COURT] * 2
REASONS += [AbsenceReason.OTHER]


def presence_csv(rng: random.Random, today: dt.date) -> str:
    """Six months of working days of every primary officer serving now, as the CSV a unit
    sends: each officer with a share of their own (65-97 %), leave now and then."""
    first = (today.replace(day=1) - dt.timedelta(days=31 * (PRESENCE_MONTHS - 1))).replace(day=1)
    out = io.StringIO()
    out.write("date;badge_number;hours_in;hours_out;reason\n")
    officers: dict[str, dt.date] = {}
    for badge, starts_on in (
        Assignment.objects.filter(role__in=PRIMARY_ROLES, covers__isnull=True, starts_on__lte=today)
        .exclude(ends_on__lt=first)
        .values_list("officer__badge_number", "starts_on")
        .order_by("officer__badge_number")
    ):
        officers[badge] = min(officers.get(badge, starts_on), starts_on)
    for badge, starts_on in officers.items():
        share = rng.uniform(0.65, 0.97)
        day = max(first, starts_on)
        leave_left = rng.choice([0, 0, 5, 10])
        while day < today:
            if day.weekday() < 5:
                if leave_left and rng.random() < 0.05:
                    out.write(f"{day.isoformat()};{badge};0;8;leave\n")
                    leave_left -= 1
                elif rng.random() > share:
                    hours_out = Decimal(rng.choice([2, 3, 4, 8]))
                    hours_in = Decimal(8) - hours_out
                    out.write(
                        f"{day.isoformat()};{badge};{hours_in};{hours_out};{rng.choice(REASONS)}\n"
                    )
                else:
                    out.write(f"{day.isoformat()};{badge};8;0;\n")
            day += dt.timedelta(days=1)
    return out.getvalue()


def _presence(rng: random.Random, log: Callable[[str], None]) -> None:
    text = presence_csv(rng, timezone.localdate())
    result = presence_import(rows=text, actor=None, commit=True)
    if result.errors:
        log(f"Presence: {len(result.errors)} rows refused, e.g. {result.errors[0]}")
    log(f"Presence: {result.created} working days of the officers imported")


def engagement_demo_generate(*, log: Callable[[str], None] = lambda line: None) -> None:
    """Generate the demo's meetings, questions and presence (once)."""
    rng = random.Random(SEED + 17)
    _meetings(rng, log)
    _presence(rng, log)
