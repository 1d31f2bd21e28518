"""What the demo's people are drawn from: names, places of origin, household sizes and needs.

Invented combinations of common names by the origin of the household, and the weights the
household generator (protection.demo.households) draws with.
"""

from typing import Any


def _words(text: str) -> list[str]:
    """Split a space-separated list (the tables below read better as prose)."""
    return text.split()


def _weights(text: str) -> tuple[tuple[str, int], ...]:
    """Parse "CODE:weight CODE:weight ..." into pairs."""
    return tuple((code, int(weight)) for code, weight in (p.split(":") for p in text.split()))


# Invented combinations of common names, by the origin of the household.
NAMES: dict[str, dict[str, list[str]]] = {
    "ssd": {
        "male": _words(
            "Akol Deng Garang Mabior Majok Malual Manyang Bol Chol Dut Kuol Lual Makuei Nyok "
            "Riek Gatluak Gatdet Koang Puok Tut Wal Yien Lokuji Ladu Loku Wani Emmanuel Peter "
            "Simon Joseph Samuel Moses James Daniel Isaac Stephen Jacob Thon Madut Kiir Ayuel "
            "Kur Mayen Awet Abraham Achuil Agany Alier Amuom Anyieth Bairo Bangoang Biel Buoy "
            "Chan Chuol Dak Dhieu Duoth Gach Gatkuoth Kang Kuach Kueth Lokiri Lomude Lowi "
            "Mabil Machok Malek Mangar Marial Maker Mayom Nyuot Ojwok Okwong Oling Otto Ruach "
            "Thomas Tiop Wek Yohannes Justin Martin Santino Gabriel Benjamin Michael Elijah"
        ),
        "female": _words(
            "Achol Adut Akech Ayen Nyandeng Nyibol Abuk Aluel Amou Nyakuoth Nyamal Nyaluak "
            "Nyabol Nyagoa Nyachan Keji Poni Jokudu Gune Mary Rebecca Grace Elizabeth Sarah "
            "Martha Rose Esther Ruth Agnes Josephine Awut Yar Aker Adhieu Nyanut Achai Ajok "
            "Apiu Nyaboth Kiden Lilian Viola Abang Achan Adau Agum Ahok Akuol Alek Amer Anger "
            "Athieng Awien Ayak Bakhita Cecilia Christine Diana Fatuma Gatwech Hellen Juan "
            "Kaku Lona Mercy Monica Nyakong Nyalok Nyawal Nyariek Nyaruach Nyathon Regina "
            "Susan Teresa Tabitha Angelina Veronica Joy Night Peace Sunday Helen Jane"
        ),
        "family": _words(
            "Akol Deng Garang Mabior Majok Malual Manyang Bol Chol Dut Kuol Lual Makuei Nyok "
            "Riek Gatluak Gatdet Koang Puok Tut Wal Yien Lokuji Ladu Lemi Wani Aguer Arop "
            "Ater Athian Bak Biar Dau Dhal Duku Gai Jal Jok Kachuol Kenyi Lam Lomoro Machar "
            "Makur Mamer Mathiang Mawien Modi Nhial Ngor Nyuon Ochan Odong Ohide Pal Ruai Ter "
            "Thiik Tombe Yak Yata Bior Anei Amum Bullen"
        ),
    },
    "sdn": {
        "male": _words(
            "Mohamed Ahmed Hassan Hussein Ibrahim Ismail Abdalla Omer Yousif Kamal Adam Idris "
            "Suleiman Musa Bashir Khalid Osman Salih Tahir Yahya Haroun Nour Babiker Elnour"
        ),
        "female": _words(
            "Fatima Amna Hawa Khadija Zainab Asha Halima Mariam Aisha Safia Sumaya Hanan "
            "Nafisa Rabia Salma Zahra Amal Huda Nasra Fadila Maha Sara Insaf Rasha"
        ),
        "family": _words(
            "Abakar Abdelrahman Adam Ahmed Babiker Bakheit Daoud Elamin Eltayeb Hamid Haroun "
            "Ishag Jibril Khamis Mahjoub Mustafa Nimir Osman Rahama Saleh Tijani Yagoub "
            "Zakaria Abdelkarim Fadul Gadal Hamdan Khater Omda Sharif"
        ),
    },
    "cod": {
        "male": _words(
            "Jean Pierre Patrice Joseph Dieudonne Emmanuel Christian Bienvenu Fiston Alain "
            "Didier Olivier Serge Gloire"
        ),
        "female": _words(
            "Marie Esperance Chantal Furaha Neema Solange Pascaline Nathalie Josephine Grace "
            "Ornella Divine Rachel Aline"
        ),
        "family": _words(
            "Mbolitini Kpiolo Bangazi Gbudue Ngbandi Mbikoyo Zande Kumbonyeki Wando Bagbeni "
            "Ngalamu Sasa Bilikisi Atoro Ukwa Mopoyi Renzi Bangbe Kiamba Nzapanga"
        ),
    },
}

ORIGINS: dict[str, dict[str, Any]] = {
    "ssd": {
        "country": "SSD",
        "places": ("Lerok", "Amolo", "Pakam", "Wundit", "Malek", "Barra", "Tonj East", "Kuach"),
        "languages": ("Dinka, Juba Arabic", "Nuer", "Shilluk", "Bari, Juba Arabic", "Zande"),
    },
    "sdn": {
        "country": "SDN",
        "places": ("Ed Daein", "Kadugli", "Kutum", "El Geneina", "Tawila", "Damazin"),
        "languages": ("Arabic", "Fur, Arabic", "Masalit, Arabic", "Nuba, Arabic"),
    },
    "cod": {
        "country": "COD",
        "places": ("Dungu", "Faradje", "Aba", "Doruma", "Bangadi"),
        "languages": ("Lingala, French", "Zande, French", "Bangala"),
    },
}

# How often to redraw a given name that looks like someone planned already.
NAME_ATTEMPTS = 30
# Stand-ins for country ids when comparing planned people (only equality matters).
NATIONALITY_IDS = {"SSD": 1, "SDN": 2, "COD": 3}

# Household size 1..10 and how often each occurs (mean about four people).
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
HOUSEHOLD_SIZE_WEIGHTS = (12, 15, 18, 18, 14, 10, 6, 4, 2, 1)

# Each year of childhood a little less common than the one before (0 years: 1.3, 17: 0.7).
CHILD_AGE_WEIGHTS = tuple(1.3 - 0.6 * age / 17 for age in range(18))

# Specific-need codes by group, each with its weight, and the chance a person of the group has one.
NEEDS_CHILD = _weights(
    "SM-MN:6 SC-SC:4 CR-NE:4 SC-UC:1 CR-LO:2 CR-LW:1 CR-AF:1 CR-SE:1 DS-PM:1 DS-DF:1 FU-TR:2"
)
NEEDS_WOMAN = _weights(
    "WR-WR:4 WR-SF:3 WR-LC:4 SV-VF:2 SV-VO:2 SM-DP:2 SM-CI:2 DS-PM:1 LP-ND:3 FU-TR:1 SV-FM:1"
)
NEEDS_MAN = _weights("SM-CI:3 DS-PM:2 DS-BD:1 LP-ND:4 TR-WV:2 LP-AF:1 SM-MI:1 LP-MD:2 FU-TR:1")
NEEDS_OLDER = _weights("ER-NF:3 ER-MC:2 ER-FR:2 DS-BD:2 DS-PM:2 SM-CI:4")
NEED_CHANCE = {"child": 0.14, "woman": 0.22, "man": 0.13, "older": 0.55}
