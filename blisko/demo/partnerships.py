"""Demo partnerships: a memorandum of cooperation between the Vinnytsia regional police
headquarters and most hromadas of the oblast (what each side provides: an office, a car, fuel
every month, housing for the officer; the police: the officer and their equipment), each
signed with its PDF and its obligations checked over time, a few expired or terminated; the
Konin partnership agreement "Razem dla bezpieczeństwa" with its partners; the programme's
rollout targets; and the demo's community heads. All through the services (the system as the
actor), so every step is audited. The people are generated, never real."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from blisko.core.clock import site_today
from blisko.core.roles import COMMUNITY_HEAD
from blisko.demo.data import (
    HEAD_ACCOUNTS,
    KONIN_GMINA,
    SEED,
    UA_FIRST,
    UA_LAST,
    VINNYTSIA_OBLAST,
)
from blisko.officers.models import Assignment, Unit
from blisko.partnerships.models import (
    CommunityHead,
    FulfilmentState,
    Memorandum,
    MemorandumKind,
    ObligationKind,
    PartnerKind,
    Recurrence,
    RolloutTarget,
)
from blisko.partnerships.services.memoranda import (
    MemorandumInput,
    PartnerInput,
    PartyInput,
    memorandum_create,
)
from blisko.partnerships.services.obligations import (
    ObligationInput,
    fulfilment_record,
    obligation_add,
)
from blisko.partnerships.services.workflow import (
    memoranda_expire,
    memorandum_sign,
    memorandum_terminate,
)
from blisko.plans.services.plans import add_months
from blisko.territories.models import Area, Country, Level

# The demo's community heads: (username, community code, name, office).
HEADS = [
    ("head_vinnytsia", "UA05020030000031457", "Олена Мельник", "Вінницький міський голова"),
    ("head_konin", KONIN_GMINA, "Paweł Nowicki", "Prezydent Miasta Konina"),
]
# One hromada in this many has no memorandum (yet): the coverage map shows all four classes.
NO_MEMORANDUM_SHARE = 6

COMMUNITY_OBLIGATIONS = [
    # (kind, text, months after signing it is due, recurrence, share of memoranda having it)
    (
        ObligationKind.OFFICE,
        "Службове приміщення для поліцейського офіцера громади в центрі громади",
        1,
        Recurrence.ONCE,
        1.0,
    ),
    (
        ObligationKind.VEHICLE,
        "Службовий автомобіль для поліцейського офіцера громади",
        2,
        Recurrence.ONCE,
        0.7,
    ),
    (
        ObligationKind.FUEL,
        "Пальне для службового автомобіля — 200 л на місяць",
        1,
        Recurrence.MONTHLY,
        0.7,
    ),
    (
        ObligationKind.HOUSING,
        "Житло для поліцейського офіцера громади та його родини",
        3,
        Recurrence.ONCE,
        0.4,
    ),
    (
        ObligationKind.FUNDING,
        "Кошти громади на відеоспостереження в місцях, що їх назвали мешканці",
        12,
        Recurrence.YEARLY,
        0.3,
    ),
]
POLICE_OBLIGATIONS = [
    (
        ObligationKind.OTHER,
        "Призначити поліцейського офіцера громади, що живе й працює в громаді",
        1,
        Recurrence.ONCE,
        1.0,
    ),
    (
        ObligationKind.EQUIPMENT,
        "Ноутбук, планшет і засоби зв'язку для офіцера",
        2,
        Recurrence.ONCE,
        1.0,
    ),
    (
        ObligationKind.OTHER,
        "Звіт офіцера перед громадою про стан безпеки",
        6,
        Recurrence.QUARTERLY,
        0.8,
    ),
]
STATES = [FulfilmentState.FULFILLED] * 16 + [FulfilmentState.PARTLY] * 3 + [FulfilmentState.NOT]
EVIDENCE = {
    ObligationKind.OFFICE: "Акт приймання-передачі приміщення",
    ObligationKind.VEHICLE: "Договір позички автомобіля",
    ObligationKind.FUEL: "Відомість видачі талонів на пальне",
    ObligationKind.HOUSING: "Договір найму житла",
    ObligationKind.FUNDING: "Рішення сесії ради про виділення коштів",
    ObligationKind.EQUIPMENT: "Накладна на обладнання",
    ObligationKind.OTHER: "Наказ ГУНП",
}
NOTES = {
    FulfilmentState.PARTLY: "Надано частково: решту обіцяють до кінця кварталу",
    FulfilmentState.NOT: "Не надано: у бюджеті громади немає коштів",
}


def demo_pdf(title: str) -> bytes:
    """A small valid one-page PDF standing for the scanned signed document."""
    text = title.encode("ascii", "replace").decode()[:80].replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 56 780 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def partnerships_demo_exists() -> bool:
    return Memorandum.objects.exists()


def _check_dates(due: dt.date, recurrence: str, today: dt.date) -> list[dt.date]:
    """The days an obligation was checked: once a little after it fell due, or at each of its
    periods since."""
    steps: dict[str, int] = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}
    step = steps.get(recurrence)
    if step is None:
        return [due + dt.timedelta(days=5)] if due + dt.timedelta(days=5) <= today else []
    days, day = [], due
    while day + dt.timedelta(days=3) <= today:
        days.append(day + dt.timedelta(days=3))
        day = add_months(day, step)
    return days


def _obligations(memorandum, rng: random.Random, today: dt.date, *, party) -> None:
    signed_on = memorandum.signed_on
    for owner, table in (("community", COMMUNITY_OBLIGATIONS), ("police", POLICE_OBLIGATIONS)):
        for kind, text, months, recurrence, share in table:
            if rng.random() > share:
                continue
            due = add_months(signed_on, months)
            if memorandum.valid_until is not None and due > memorandum.valid_until:
                continue
            obligation = obligation_add(
                actor=None,
                memorandum=memorandum,
                data=ObligationInput(
                    party=party if owner == "community" else "police",
                    kind=kind,
                    description=text,
                    due_on=due,
                    recurrence=recurrence,
                ),
            )
            reliable = rng.random() < 0.8  # most communities keep their word
            checks = _check_dates(due, recurrence, min(today, memorandum.valid_until or today))
            for index, day in enumerate(checks):
                if day > today or (index == len(checks) - 1 and rng.random() < 0.15):
                    break  # the last period not checked yet: it shows as overdue
                state = rng.choice(STATES) if reliable else rng.choice(STATES[10:])
                fulfilment_record(
                    actor=None,
                    obligation=obligation,
                    on=day,
                    state=state,
                    evidence=EVIDENCE[kind] if state != FulfilmentState.NOT else "",
                    note=NOTES.get(state, ""),
                )


def _head_name(rng: random.Random) -> str:
    sex = rng.choice("mf")
    return f"{rng.choice(UA_FIRST[sex])} {rng.choice(UA_LAST)}"


def _vinnytsia(rng: random.Random, today: dt.date, log: Callable[[str], None]) -> int:
    hq = Unit.objects.filter(area__code=VINNYTSIA_OBLAST).first()
    if hq is None:
        return 0
    hromadas = list(
        Area.objects.filter(
            level=Level.COMMUNITY, parent__parent__code=VINNYTSIA_OBLAST, valid_to__isnull=True
        )
        .defer("boundary")
        .order_by("code")
    )
    first_assigned = {
        area_id: starts_on
        for area_id, starts_on in Assignment.objects.filter(
            area__in=hromadas, is_primary=True
        ).values_list("area_id", "starts_on")
    }
    made = 0
    for index, hromada in enumerate(hromadas):
        if index % NO_MEMORANDUM_SHARE == 3 and hromada.code != HEADS[0][1]:
            continue
        name = hromada.name_uk or hromada.name_official
        assigned = first_assigned.get(hromada.pk)
        signed_on = (
            (assigned - dt.timedelta(days=rng.randrange(10, 60)))
            if assigned
            else (today - dt.timedelta(days=rng.randrange(60, 700)))
        )
        signed_on = min(signed_on, today - dt.timedelta(days=30))
        open_ended = rng.random() < 0.3
        valid_until = None if open_ended else add_months(signed_on, 36) - dt.timedelta(days=1)
        if index % 17 == 5:  # a few signed for one year only, now expired
            valid_until = add_months(signed_on, 12) - dt.timedelta(days=1)
        memorandum = memorandum_create(
            actor=None,
            data=MemorandumInput(
                kind=MemorandumKind.MEMORANDUM,
                title=f"Меморандум про співпрацю: {name}",
                unit=hq,
                number=f"ВН-{index + 1:03d}/{signed_on.year}",
                summary=(
                    "Про впровадження проєкту «Поліцейський офіцер громади»: громада надає "
                    "офіцерові умови для роботи, поліція — офіцера, що живе й працює в громаді."
                ),
                valid_until=valid_until,
                parties=[
                    PartyInput(
                        area=hromada,
                        head_name=_head_name(rng) if hromada.code != HEADS[0][1] else HEADS[0][2],
                        head_office="Голова громади"
                        if hromada.code != HEADS[0][1]
                        else HEADS[0][3],
                    )
                ],
            ),
        )
        document = SimpleUploadedFile(
            f"memorandum-{index + 1:03d}.pdf",
            demo_pdf(f"Memorandum VN-{index + 1:03d}/{signed_on.year}"),
            content_type="application/pdf",
        )
        memorandum = memorandum_sign(
            actor=None, memorandum=memorandum, signed_on=signed_on, document=document
        )
        _obligations(memorandum, rng, today, party=memorandum.parties.get())
        if index % 23 == 11 and (valid_until is None or valid_until > today):
            memorandum_terminate(
                actor=None,
                memorandum=memorandum,
                terminated_on=today - dt.timedelta(days=rng.randrange(5, 60)),
                reason="Громаду приєднано до іншої; новий меморандум готують із нею.",
            )
        made += 1
    expired = memoranda_expire(today=today)
    log(f"Vinnytsia oblast: {made} memoranda of {len(hromadas)} hromadas ({len(expired)} expired)")
    return made


KONIN_PARTNERS = [
    ("Straż Miejska w Koninie", PartnerKind.PUBLIC_BODY, "Komendant Straży Miejskiej"),
    (
        "Szkoła Podstawowa nr 7 im. Mikołaja Kopernika w Koninie",
        PartnerKind.SCHOOL,
        "Dyrektor szkoły",
    ),
    ("Stowarzyszenie „Bezpieczne Osiedle” Konin", PartnerKind.NGO, "Prezes stowarzyszenia"),
    ("Miejski Zakład Gospodarki Mieszkaniowej w Koninie", PartnerKind.PUBLIC_BODY, "Dyrektor MZGM"),
]
KONIN_OBLIGATIONS: list[tuple[str | int, str, str, int, str]] = [
    # (party: "police" | "city" | partner index, kind, text, months, recurrence)
    (
        "police",
        ObligationKind.OTHER,
        "Debata społeczna w każdym rejonie dzielnicowego raz na kwartał",
        1,
        Recurrence.QUARTERLY,
    ),
    (
        "police",
        ObligationKind.OTHER,
        "Weryfikacja zgłoszeń z Krajowej Mapy Zagrożeń Bezpieczeństwa w ciągu 5 dni",
        1,
        Recurrence.MONTHLY,
    ),
    (
        "city",
        ObligationKind.FUNDING,
        "Finansowanie nagród w konkursie „Bezpieczny Konin”",
        6,
        Recurrence.YEARLY,
    ),
    (
        "city",
        ObligationKind.EQUIPMENT,
        "Doświetlenie przejść i miejsc wskazanych na mapie zagrożeń",
        4,
        Recurrence.ONCE,
    ),
    (
        0,
        ObligationKind.OTHER,
        "Wspólne patrole z dzielnicowymi w rejonach wskazanych na mapie",
        1,
        Recurrence.MONTHLY,
    ),
    (
        1,
        ObligationKind.OFFICE,
        "Sala na debaty i spotkania z mieszkańcami",
        1,
        Recurrence.QUARTERLY,
    ),
    (
        2,
        ObligationKind.OTHER,
        "Dyżury sąsiedzkie i informowanie mieszkańców o debatach",
        2,
        Recurrence.QUARTERLY,
    ),
    (
        3,
        ObligationKind.OTHER,
        "Naprawa oświetlenia i monitoringu na osiedlach w ciągu 14 dni",
        1,
        Recurrence.QUARTERLY,
    ),
]


def _konin(rng: random.Random, today: dt.date, log: Callable[[str], None]) -> int:
    gmina = Area.objects.filter(code=KONIN_GMINA).defer("boundary").first()
    # The dzielnicowi's own unit: the city's police headquarters (KMP Konin).
    beat = Assignment.objects.filter(area__parent=gmina).select_related("officer__unit").first()
    unit = beat.officer.unit if beat is not None else None
    if gmina is None or unit is None:
        return 0
    signed_on = add_months(today, -14).replace(day=12)
    memorandum = memorandum_create(
        actor=None,
        data=MemorandumInput(
            kind=MemorandumKind.AGREEMENT,
            title="Porozumienie „Razem dla bezpieczeństwa”",
            unit=unit,
            number=f"KMP-Konin/{signed_on.year}/04",
            summary=(
                "Porozumienie o współpracy na rzecz bezpieczeństwa mieszkańców Konina w "
                "ramach programu „Dzielnicowy bliżej nas”: mapa zagrożeń, debaty społeczne, "
                "wspólne patrole i działania w miejscach wskazanych przez mieszkańców."
            ),
            parties=[PartyInput(area=gmina, head_name=HEADS[1][2], head_office=HEADS[1][3])],
            partners=[PartnerInput(name=n, kind=k, representative=r) for n, k, r in KONIN_PARTNERS],
        ),
    )
    document = SimpleUploadedFile(
        "razem-dla-bezpieczenstwa.pdf",
        demo_pdf("Porozumienie Razem dla bezpieczenstwa"),
        content_type="application/pdf",
    )
    memorandum = memorandum_sign(
        actor=None, memorandum=memorandum, signed_on=signed_on, document=document
    )
    partners = list(memorandum.partners.order_by("pk"))
    city = memorandum.parties.get()
    for who, kind, text, months, recurrence in KONIN_OBLIGATIONS:
        party: object = city if who == "city" else "police"
        if isinstance(who, int):
            party = partners[who]
        due = add_months(signed_on, months)
        obligation = obligation_add(
            actor=None,
            memorandum=memorandum,
            data=ObligationInput(
                party=party, kind=kind, description=text, due_on=due, recurrence=recurrence
            ),
        )
        for day in _check_dates(due, recurrence, today):
            state = rng.choice(STATES)
            fulfilment_record(
                actor=None,
                obligation=obligation,
                on=day,
                state=state,
                evidence="Notatka ze spotkania koordynacyjnego" if state != "not" else "",
                note={"partly": "Zrealizowano częściowo", "not": "Nie zrealizowano"}.get(state, ""),
            )
    log(f"Konin: the agreement with {len(partners)} partners")
    return 1


def _targets() -> None:
    """The programme's plan in the demo's scale: Ukraine from 34 officers to every hromada of
    the two oblasts; Poland from most gminas of the powiat to all of them."""
    hromadas = Area.objects.filter(
        country=Country.UKRAINE, level=Level.COMMUNITY, valid_to__isnull=True
    ).count()
    gminas = Area.objects.filter(
        country=Country.POLAND, level=Level.COMMUNITY, valid_to__isnull=True
    ).count()
    rows = [
        (Country.UKRAINE, dt.date(2022, 1, 1), 34, 34, 2, "Початок проєкту"),
        (Country.UKRAINE, dt.date(2027, 12, 31), hromadas, hromadas, 2, "Кожна громада"),
        (Country.POLAND, dt.date(2022, 1, 1), 10, 9, 1, "Dzielnicowy bliżej nas"),
        (Country.POLAND, dt.date(2027, 12, 31), gminas + 3, gminas, 1, "Każda gmina"),
    ]
    for country, on, officers, communities, regions, note in rows:
        RolloutTarget.objects.update_or_create(
            country=country,
            on=on,
            defaults={
                "officers": officers,
                "communities": communities,
                "regions": regions,
                "note": note,
            },
        )


def _heads() -> None:
    """The heads' accounts (no back office: their page is /community/) and their communities."""
    group = Group.objects.get(name=COMMUNITY_HEAD)
    passwords = {username: password for username, password, _role in HEAD_ACCOUNTS}
    for username, code, name, office in HEADS:
        area = Area.objects.filter(code=code).defer("boundary").first()
        if area is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=passwords[username])
        user.groups.add(group)
        CommunityHead.objects.update_or_create(
            user=user, defaults={"area": area, "name": name, "office": office}
        )


def partnerships_demo_generate(*, log: Callable[[str], None] = lambda line: None) -> None:
    """Generate the demo's memoranda, targets and community heads (once)."""
    rng = random.Random(SEED + 13)
    today = site_today()
    _vinnytsia(rng, today, log)
    _konin(rng, today, log)
    _targets()
    _heads()
