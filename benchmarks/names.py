"""Names for the scale registry: common spellings across Arabic, French, English and local use.

A real registry is dominated by a few very common names written many ways (Mohammed,
Muhammad, Mohamed, محمد), which is what makes duplicate blocking and name search hard; the
lists below reproduce that, and `weighted` gives earlier names more weight (Zipf-like).
"""

import random


def _words(text: str) -> list[str]:
    """Return the whitespace-separated words of a block of text."""
    return text.split()


FEMALE_GIVEN = _words(
    """
Fatima Fatuma Fatma Fatouma Aisha Aicha Ayesha Aishah Amina Aminah Ameena Mariam Maryam Mariama
Meriem Khadija Khadidja Kadija Zainab Zeinab Zaynab Hawa Hawaa Halima Halimah Asha Asia Safia
Safiya Nyandeng Nyakuoth Nyaboth Achol Achan Ajak Abuk Adut Akech Ayen Nyamal Nyibol Yar Ajok
Awut Apajok Nyanchiew Nyayien Marie Mariam Aminata Awa Fatoumata Kadiatou Mariame Rokia Salimata
Grace Mary Rose Esther Sarah Rebecca Elizabeth Josephine Agnes Christine Nadia Layla Leila Salma
Samira Souad Rania Huda Hoda Noura Nour Sara Hanan Amal Iman Eman Rahma Rashida Habiba Latifa
Zahra Zahara Umm Kalthoum Nasra Ubah Hodan Faduma Sahra Ifrah Deka Farhiya Muna Sagal Istahil
"""
)

MALE_GIVEN = _words(
    """
Mohammed Muhammad Mohamed Mohamad Mohammad Mohammud Mahamat Mamadou Ahmed Ahmad Ahmat Hamid
Abdullah Abdallah Abdulla Abdel Abdelrahman Abderrahmane Abdirahman Abdulrahman Ibrahim Ibrahima
Brahim Ismail Ismael Ismaila Yusuf Youssef Yousif Yusif Omar Umar Oumar Ali Aly Hassan Hasan
Hussein Husein Houssein Osman Othman Usman Ousmane Adam Adama Idris Idriss Musa Moussa Moses
Deng Garang Kuol Bol Chol Dut Makuei Majok Mayen Akol Lual Manyang Malual Mabior Nhial Gatluak
Gatkuoth Ruot Koang Jean Pierre Jean-Pierre Joseph Josef Emmanuel Emanuel Daniel John Peter
James Paul David Samuel Patrick Francis Michael Simon Stephen Isaac Abdoulaye Souleymane
Suleiman Sulayman Salah Saleh Khalid Khaled Tahir Taher Bakri Bakary Nasir Nasser Yahya
"""
)

FAMILY = _words(
    """
Mohammed Muhammad Mohamed Ahmed Ahmad Abdallah Abdullah Ibrahim Ismail Yusuf Youssef Osman
Hassan Hussein Ali Omar Adam Idris Musa Moussa Abdelrahman Abdirahman Abdulrahman Salih Saleh
Deng Garang Kuol Bol Chol Dut Makuei Majok Mayen Akol Lual Manyang Malual Mabior Nhial Gatluak
Gatkuoth Ruot Koang Kiir Machar Lado Lokudu Wani Jada Taban Tombe Lemi Loku Modi Pitia Ladu
Diallo Traore Traoré Keita Keïta Coulibaly Kone Koné Toure Touré Sangare Cisse Cissé Camara
Konate Sylla Bah Barry Sow Ba Kane Ndiaye N'Diaye Diop Fall Sarr Mbaye Kabore Kaboré Ouedraogo
Ouédraogo Sawadogo Zongo Compaore Nikiema Ilboudo Tapsoba Mahamat Hissein Abakar Brahim
Haroun Haroon Harun Issa Eissa Isa Zakaria Zakariya Mustafa Mostafa Mustapha Farah Warsame
Jama Hirsi Abdi Nur Noor Mohamud Mahmoud Mahmud Elmi Egal Dahir Duale Hersi Yusuf Aden Aden
Smith Johnson Okello Otieno Odhiambo Wanjiru Kamau Mugisha Niyonzima Habimana Uwimana
Nshimiyimana Mukamana Ndayisaba Hakizimana Bizimana Nkurunziza Ntakirutimana Kabila Mbuyi
Ilunga Kasongo Mutombo Tshibangu Kalonji Lukusa Mukendi Ngoy Banza Kabamba Nzeyimana
"""
)

ARABIC_GIVEN = _words("محمد أحمد فاطمة عائشة إبراهيم يوسف مريم خديجة عمر علي حسن حسين زينب")
ARABIC_FAMILY = _words("محمد أحمد عبدالله إبراهيم إسماعيل يوسف عثمان حسن علي عمر آدم موسى")

# Local places of origin, for realistic free text.
PLACES = _words(
    """
Malakal Bentiu Bor Wau Juba Yei Torit Aweil Renk Nasir Akobo Pibor Kajo-Keji Nimule Rumbek
Kadugli Geneina Nyala Zalingei Kutum Tawila Gao Mopti Timbuktu Menaka Djibo Dori Kaya Fada
Diffa Tillaberi Bunia Beni Butembo Goma Rutshuru Masisi Kalehe Uvira Fizi Baidoa Kismayo
"""
)


def weighted(names: list[str], exponent: float = 0.9) -> tuple[list[str], list[float]]:
    """Return the names with cumulative Zipf-like weights: the first names are the most common.

    Pass both to `random.choices(names, cum_weights=...)`; cumulative weights spare choices()
    from summing them again on every call.
    """
    running, cumulative = 0.0, []
    for rank in range(1, len(names) + 1):
        running += 1 / (rank**exponent)
        cumulative.append(running)
    return names, cumulative


def misspell(name: str, rng: random.Random) -> str:
    """Return the name with one typical typing or transcription slip (Latin script only)."""
    if not name.isascii():
        return name
    if len(name) < 4:
        return name + name[-1]
    position = rng.randrange(1, len(name) - 1)
    slip = rng.choice(("drop", "double", "swap", "vowel"))
    if slip == "drop":
        return name[:position] + name[position + 1 :]
    if slip == "double":
        return name[:position] + name[position] + name[position:]
    if slip == "swap":
        return name[: position - 1] + name[position] + name[position - 1] + name[position + 1 :]
    vowels = "aeiou"
    for index in range(position, len(name)):
        if name[index].lower() in vowels:
            replacement = rng.choice([v for v in vowels if v != name[index].lower()])
            return name[:index] + replacement + name[index + 1 :]
    return name + "e"
