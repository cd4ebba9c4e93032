"""The demo partnership's content: a made-up area with real-looking partners, boards and priorities.

Priority codes match the sample performance-management export (``indicators.csv``), so indicator imports
join to them.
"""

from __future__ import annotations

from engage.accounts.models import OrganisationKind, Role
from engage.boards.models import BoardKind
from engage.prioritise.models import ExerciseStatus

ORGANISATIONS = [
    ("Aldermoor Borough Council", OrganisationKind.COUNCIL),
    ("Aldermoor and District Integrated Care Board", OrganisationKind.NHS),
    ("Westmarch Police", OrganisationKind.POLICE),
    ("Westmarch Fire and Rescue Service", OrganisationKind.FIRE),
    ("Aldermoor Council for Voluntary Service", OrganisationKind.VOLUNTARY),
    ("Aldermoor College", OrganisationKind.EDUCATION),
]

COUNCIL, NHS, POLICE, FIRE, CVS, COLLEGE = (name for name, _ in ORGANISATIONS)

#: (name, slug, short code, kind, remit, members, priorities as (code, title, description))
BOARDS = [
    (
        "Children and Young People",
        "children-and-young-people",
        "CYP",
        BoardKind.PARTNERSHIP,
        "Makes sure every child and young person in Aldermoor is safe, healthy and has the best start in "
        "life, and that services for families work together.",
        [COUNCIL, NHS, POLICE, CVS, COLLEGE],
        [
            (
                "CYP-HEALTHY-WEIGHT",
                "Healthy weight in childhood",
                "Help children grow up at a healthy weight through school meals, activity and "
                "family support.",
            ),
            (
                "CYP-YOUTH-JUSTICE",
                "Keeping young people out of the justice system",
                "Work with young people early so fewer enter the youth justice system.",
            ),
            (
                "CYP-NEET",
                "Education, training or work for 16 to 18 year olds",
                "Make sure young people leaving school go on to learning, an apprenticeship or a job.",
            ),
            (
                "CYP-LAC-STABILITY",
                "Stable homes for children in care",
                "Give children in care settled placements so they do not have to keep moving.",
            ),
            (
                "CYP-EARLY-YEARS",
                "Ready for school",
                "Support families in the early years so children start school ready to learn.",
            ),
            (
                "CYP-MENTAL-HEALTH",
                "Young people's mental health",
                "Shorter waits and more support in schools for young people who are struggling.",
            ),
        ],
    ),
    (
        "Health and Wellbeing",
        "health-and-wellbeing",
        "HWB",
        BoardKind.PARTNERSHIP,
        "The statutory Health and Wellbeing Board: improves the health of Aldermoor's residents and "
        "reduces the gaps in health between neighbourhoods.",
        [COUNCIL, NHS, CVS, FIRE],
        [
            ("HWB-ALCOHOL", "Reducing alcohol harm", "Fewer people admitted to hospital because of alcohol."),
            (
                "HWB-SMOKING",
                "Helping people stop smoking",
                "Free support for anyone who wants to quit smoking or vaping.",
            ),
            (
                "HWB-ACTIVE",
                "More people active",
                "Make it easier for adults to take part in sport and everyday exercise.",
            ),
            (
                "HWB-INDEPENDENCE",
                "Independence for older people",
                "Help older people return home and stay independent after a stay in hospital.",
            ),
            (
                "HWB-MENTAL-WELLBEING",
                "Adult mental wellbeing",
                "Quicker access to talking therapies and community support.",
            ),
            (
                "HWB-LONELINESS",
                "Tackling loneliness",
                "Befriending, community groups and transport so fewer people are cut off.",
            ),
        ],
    ),
    (
        "Safer and Stronger Communities",
        "safer-and-stronger-communities",
        "SSC",
        BoardKind.PARTNERSHIP,
        "The Community Safety Partnership: reduces crime and the fear of crime, and helps communities "
        "get on well together.",
        [COUNCIL, POLICE, FIRE, NHS, CVS],
        [
            ("SSC-VIOLENCE", "Reducing serious violence", "Prevent knife crime and serious assaults."),
            (
                "SSC-ASB",
                "Tackling anti-social behaviour",
                "Respond quickly to nuisance, vandalism and intimidation in neighbourhoods.",
            ),
            (
                "SSC-DOMESTIC-ABUSE",
                "Supporting victims of domestic abuse",
                "Safe housing, advice and fewer repeat incidents for people experiencing abuse.",
            ),
            ("SSC-ROADS", "Safer roads", "Fewer people killed or seriously injured on Aldermoor's roads."),
            (
                "SSC-COHESION",
                "People getting on well together",
                "Help people from different backgrounds get on well in their neighbourhood.",
            ),
            (
                "SSC-FIRE-SAFETY",
                "Fire safety at home",
                "Free home fire safety checks for people most at risk.",
            ),
        ],
    ),
    (
        "Economy and Environment",
        "economy-and-environment",
        "EE",
        BoardKind.NETWORK,
        "A working group of partners and businesses that advises the partnership on jobs, housing, "
        "transport and the environment.",
        [COUNCIL, CVS, COLLEGE],
        [
            (
                "EE-WORKLESSNESS",
                "Helping people into work",
                "Support for people out of work to find and keep a job.",
            ),
            (
                "EE-NEW-BUSINESS",
                "New and growing businesses",
                "Advice, space and grants for people starting a business.",
            ),
            (
                "EE-CARBON",
                "Cutting carbon emissions",
                "Reduce the area's carbon emissions from homes, transport and business.",
            ),
            (
                "EE-RECYCLING",
                "Recycling more",
                "Make it easier to reuse, recycle and compost household waste.",
            ),
            (
                "EE-AFFORDABLE-HOMES",
                "Affordable homes",
                "More homes that local people on ordinary incomes can afford.",
            ),
        ],
    ),
]

#: Which organisation enters each board's indicator values (by the board's short code).
INDICATOR_OWNERS = {"HWB": NHS, "SSC": POLICE, "CYP": COUNCIL, "EE": COUNCIL}
#: Indicators another partner owns, so every partner's report has figures of its own: road casualties (fire
#: and rescue lead on road safety), people getting on well together (the voluntary sector), people out of
#: work (the college's adult skills).
INDICATOR_OWNER_EXCEPTIONS = {"NI 47": FIRE, "NI 1": CVS, "NI 152": COLLEGE}

#: Commentary two partners added to their latest figures on the entry form: (user, indicator reference, text)
INDICATOR_COMMENTARY = [
    ("analyst@aldermoor.example", "NI 8", "Up after the free swimming offer for over-60s started in July."),
    ("officer@aldermoor.example", "NI 117", "Below target for the first time since the new careers service."),
]

#: One demo user per role: (email, name, organisation, roles)
USERS = [
    ("admin@aldermoor.example", "Alex Admin", COUNCIL, [Role.ADMIN]),
    ("officer@aldermoor.example", "Bina Officer", COUNCIL, [Role.BOARD_OFFICER]),
    ("facilitator@aldermoor.example", "Chris Facilitator", CVS, [Role.FACILITATOR]),
    ("analyst@aldermoor.example", "Dee Analyst", NHS, [Role.ANALYST]),
    # An elected member: no staff role, an accountable member of the partnership boards (ACCOUNTABLE).
    ("councillor@aldermoor.example", "Cllr Evan Morgan", COUNCIL, []),
]

#: The councillor's role on each partnership board: they sign off its weights, which makes them decisions.
ACCOUNTABLE = {
    "children-and-young-people": "Cabinet member for children and families",
    "health-and-wellbeing": "Chair of the board",
    "safer-and-stronger-communities": "Chair of the board",
}
#: The meeting at which each partnership board's demo weights were approved.
DEMO_MINUTE = "Board meeting 14 January 2027, minute 6"

INTRODUCTION = (
    "The board has to decide where to put its effort over the next three years. Tell us which of its "
    "priorities matter most to you.\n\nWe will publish the results and use them, with other evidence, to "
    "set the board's priorities for 2027 to 2030."
)

#: Welsh for the Health and Wellbeing board, its priorities and its open exercise, as their officers would
#: enter it, so a Welsh resident sees that exercise whole (the exercise's items borrow the priorities' Welsh).
WELSH_EXERCISE_TEXT = {
    "Health and Wellbeing": "Iechyd a Lles",
    "The statutory Health and Wellbeing Board: improves the health of Aldermoor's residents and "
    "reduces the gaps in health between neighbourhoods.": (
        "Y Bwrdd Iechyd a Lles statudol: yn gwella iechyd trigolion Aldermoor ac yn lleihau’r bylchau "
        "iechyd rhwng cymdogaethau."
    ),
    "Reducing alcohol harm": "Lleihau niwed alcohol",
    "Fewer people admitted to hospital because of alcohol.": (
        "Llai o bobl yn cael eu derbyn i’r ysbyty oherwydd alcohol."
    ),
    "Helping people stop smoking": "Helpu pobl i roi’r gorau i ysmygu",
    "Free support for anyone who wants to quit smoking or vaping.": (
        "Cymorth am ddim i unrhyw un sydd am roi’r gorau i ysmygu neu fepio."
    ),
    "More people active": "Mwy o bobl yn egnïol",
    "Make it easier for adults to take part in sport and everyday exercise.": (
        "Ei gwneud yn haws i oedolion gymryd rhan mewn chwaraeon ac ymarfer corff bob dydd."
    ),
    "Independence for older people": "Annibyniaeth i bobl hŷn",
    "Help older people return home and stay independent after a stay in hospital.": (
        "Helpu pobl hŷn i ddychwelyd adref ac aros yn annibynnol ar ôl cyfnod yn yr ysbyty."
    ),
    "Adult mental wellbeing": "Lles meddyliol oedolion",
    "Quicker access to talking therapies and community support.": (
        "Mynediad cyflymach at therapïau siarad a chymorth yn y gymuned."
    ),
    "Tackling loneliness": "Mynd i’r afael ag unigrwydd",
    "Befriending, community groups and transport so fewer people are cut off.": (
        "Cyfeillio, grwpiau cymunedol a thrafnidiaeth fel bod llai o bobl wedi’u hynysu."
    ),
    "Health and wellbeing: what matters most to you?": "Iechyd a lles: beth sydd bwysicaf i chi?",
    "Which should the Health and Wellbeing Board focus on first?": (
        "Ar ba un ddylai’r Bwrdd Iechyd a Lles ganolbwyntio yn gyntaf?"
    ),
    INTRODUCTION: (
        "Mae’n rhaid i’r bwrdd benderfynu ble i roi ei ymdrech dros y tair blynedd nesaf. Dywedwch wrthym pa "
        "rai o’i flaenoriaethau sydd bwysicaf i chi.\n\nByddwn yn cyhoeddi’r canlyniadau ac yn eu defnyddio, "
        "gyda thystiolaeth arall, i osod blaenoriaethau’r bwrdd ar gyfer 2027 i 2030."
    ),
}

#: (board slug, title, question, final status)
EXERCISES = [
    (
        "health-and-wellbeing",
        "Health and wellbeing: what matters most to you?",
        "Which should the Health and Wellbeing Board focus on first?",
        ExerciseStatus.OPEN,
    ),
    (
        "safer-and-stronger-communities",
        "Safer communities: your priorities for 2026",
        "Which should the Community Safety Partnership tackle first?",
        ExerciseStatus.CLOSED,
    ),
]

#: Exercises another partner runs (the others are the council's): the police ran last year's community
#: safety exercise, so their report has residents' answers of their own.
EXERCISE_RUNNERS = {"safer-and-stronger-communities": POLICE}

#: The demo budget exercise: residents rebalance the economy and environment budget.
#: (board slug, title, question, lowest total, highest total, band D equivalent households, step)
BUDGET_EXERCISE = (
    "economy-and-environment",
    "Economy and environment: how would you spend £4.2m?",
    "How would you share the £4.2m economy and environment budget?",
    4_000_000,
    4_400_000,
    48_000,
    50_000,
)
#: Per priority: (current budget, least, what it buys, [(below/above, amount, consequence)])
BUDGET_ITEMS = {
    "EE-WORKLESSNESS": (
        1_200_000,
        400_000,
        "Job coaching and training for about 900 people a year",
        [("below", 900_000, "The jobs club closes in two of the five wards")],
    ),
    "EE-NEW-BUSINESS": (
        600_000,
        0,
        "Start-up advice and 40 small grants a year",
        [("below", 300_000, "No more start-up grants; advice online only")],
    ),
    "EE-CARBON": (
        800_000,
        0,
        "Insulating about 250 homes and 20 electric vehicle chargers a year",
        [("above", 1_200_000, "Enough to insulate every council home by 2030")],
    ),
    "EE-RECYCLING": (
        1_000_000,
        700_000,
        "Food waste collections and two recycling centres (the law sets a floor)",
        [("below", 850_000, "One recycling centre closes at weekends")],
    ),
    "EE-AFFORDABLE-HOMES": (
        600_000,
        0,
        "Help towards about 30 affordable homes a year",
        [("above", 900_000, "About 15 more affordable homes a year")],
    ),
}

#: The demo ranking exercise: (board slug, title, question, top N)
RANKING_EXERCISE = (
    "children-and-young-people",
    "Children and young people: put our priorities in order",
    "Which matter most to you? Put your top 3 in order.",
    3,
)
