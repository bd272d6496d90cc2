"""The 837 layout the reader checks against: loops, their segment order, entity codes, required elements.

Taken from the published structure of 005010X222A1 (837P) and 005010X223A2 (837I). Each
loop maps segment id -> rank; a segment whose rank is lower than the previous one in the
same loop is out of order; equal ranks may repeat. Sub-loops start with NM1 (by NM101
entity code), SBR (2320), LX (2400), LIN (2410), SVD (2430) or LQ (2440).
"""
from __future__ import annotations

# Every segment id the 837 (either guide, and the 004010 guides) uses.
KNOWN_SEGMENTS = frozenset(
    "ISA IEA GS GE ST SE BHT REF NM1 N2 N3 N4 PER HL PRV CUR SBR PAT DMG CLM DTP CL1 PWK CN1 AMT K3 NTE "
    "CR1 CR2 CR3 CR4 CR5 CR6 CR7 CR8 CRC HI HCP CAS OI MOA MIA LX SV1 SV2 SV3 SV4 SV5 SV6 SV7 TOO QTY MEA "
    "PS1 LIN CTP SVD LQ FRM DN1 DN2 HSD".split()
)

HEADER_SEGMENTS = {"ST": 0, "BHT": 1, "REF": 2, "NM1": 3, "N2": 4, "N3": 4, "N4": 4, "PER": 5}

# HL level -> (loop name, segment ranks, {NM101 entity code: sub-loop})
HL_LEVELS = {
    "20": ("2000A", {"HL": 0, "PRV": 1, "CUR": 2}, {"85": "2010AA", "87": "2010AB", "PE": "2010AC"}),
    "22": ("2000B", {"HL": 0, "SBR": 1, "PAT": 2}, {"IL": "2010BA", "PR": "2010BB", "QD": "2010BC", "AO": "2010BD"}),
    "23": ("2000C", {"HL": 0, "PAT": 1}, {"QC": "2010CA"}),
}

NAME_LOOP = {"NM1": 0, "N2": 1, "N3": 2, "N4": 3, "DMG": 4, "REF": 5, "PER": 6}
PROVIDER_LOOP = {"NM1": 0, "PRV": 1, "N3": 2, "N4": 3, "REF": 4, "PER": 5}

LOOP_2300 = {"CLM": 0, "DTP": 1, "CL1": 2, "PWK": 3, "CN1": 4, "AMT": 5, "REF": 6, "K3": 7, "NTE": 8,
             "CR1": 9, "CR2": 10, "CRC": 11, "HI": 12, "HCP": 13}
LOOP_2320 = {"SBR": 0, "CAS": 1, "AMT": 2, "DMG": 3, "OI": 4, "MIA": 5, "MOA": 5}
LOOP_2330 = {"NM1": 0, "N3": 1, "N4": 2, "PER": 3, "DTP": 4, "REF": 5}
LOOP_2400 = {"LX": 0, "SV1": 1, "SV2": 1, "SV3": 1, "TOO": 2, "SV5": 2, "PWK": 3, "CR1": 4, "CR3": 5, "CRC": 6, "DTP": 7, "QTY": 8,
             "MEA": 9, "CN1": 10, "REF": 11, "AMT": 12, "K3": 13, "NTE": 14, "PS1": 15, "HCP": 16}
LOOP_2410 = {"LIN": 0, "CTP": 1, "REF": 2}
LOOP_2430 = {"SVD": 0, "CAS": 1, "DTP": 2, "AMT": 3}
LOOP_2440 = {"LQ": 0, "FRM": 1}

# NM101 -> (loop, provider role), per claim kind.
CLAIM_PROVIDERS = {
    "837P": {"DN": ("2310A", "referring"), "P3": ("2310A", "referring"), "82": ("2310B", "rendering"),
             "77": ("2310C", "service_facility"), "DQ": ("2310D", "supervising"),
             "PW": ("2310E", "ambulance_pickup"), "45": ("2310F", "ambulance_dropoff"),
             "QB": ("2310", "purchased_service"), "FA": ("2310C", "service_facility")},
    "837I": {"71": ("2310A", "attending"), "72": ("2310B", "operating"), "ZZ": ("2310C", "other_operating"),
             "73": ("2310C", "other_operating"), "82": ("2310D", "rendering"), "77": ("2310E", "service_facility"),
             "FA": ("2310E", "service_facility"), "DN": ("2310F", "referring"), "P3": ("2310F", "referring")},
}
LINE_PROVIDERS = {
    "837P": {"82": ("2420A", "rendering"), "QB": ("2420B", "purchased_service"), "77": ("2420C", "service_facility"),
             "DQ": ("2420D", "supervising"), "DK": ("2420E", "ordering"), "DN": ("2420F", "referring"),
             "P3": ("2420F", "referring"), "PW": ("2420G", "ambulance_pickup"), "45": ("2420H", "ambulance_dropoff"),
             "FA": ("2420C", "service_facility")},
    "837I": {"72": ("2420A", "operating"), "ZZ": ("2420B", "other_operating"), "73": ("2420B", "other_operating"),
             "82": ("2420C", "rendering"), "DN": ("2420D", "referring"), "P3": ("2420D", "referring")},
}
OTHER_PAYER_NAMES = {
    "837P": {"IL": "2330A", "PR": "2330B", "DN": "2330C", "P3": "2330C", "82": "2330D", "77": "2330E",
             "DQ": "2330F", "85": "2330G"},
    "837I": {"IL": "2330A", "PR": "2330B", "71": "2330C", "72": "2330D", "ZZ": "2330E", "77": "2330F",
             "82": "2330G", "DN": "2330H", "85": "2330I"},
}

# HI qualifiers: diagnoses (ICD-10-CM then ICD-9-CM) and 837I code lists.
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "ABN", "APR", "BK", "BF", "BJ", "BN", "PR"})
PRINCIPAL_QUALIFIERS = frozenset({"ABK", "BK"})
OTHER_HI_QUALIFIERS = frozenset({"BG", "BH", "BI", "BE", "BBR", "BBQ", "BR", "BQ", "DR", "TC", "BP", "BO", "CAH"})

# Required elements (1-based indexes) of the segments the reader uses, in 005010.
REQUIRED = {
    "ST": (1, 2, 3), "BHT": (1, 2, 3, 4, 6), "HL": (1, 3, 4), "NM1": (1, 2), "N3": (1,), "N4": (1,),
    "REF": (1, 2), "PRV": (1, 2, 3), "SBR": (1,), "PAT": (1,), "DMG": (1, 2), "CLM": (1, 2, 5, 7, 8, 9),
    "DTP": (1, 2, 3), "HI": (1,), "AMT": (1, 2), "CAS": (1, 2, 3), "LX": (1,), "SV1": (1, 2, 3, 4, 7),
    "SV2": (1, 3, 4, 5), "LIN": (2, 3), "CTP": (4, 5), "SVD": (1, 2, 3, 5), "OI": (3, 6),
}

SBR_RESPONSIBILITY = frozenset("P S T A B C D E F G H U".split())
SEX_CODES = frozenset({"F", "M", "U"})
DATE_FORMATS = frozenset({"D8", "RD8", "DT", "TM"})


def kind_of(version: str | None) -> str | None:
    """837P or 837I from a GS08 / ST03 version string, None when it names neither."""
    if not version:
        return None
    if "X222" in version or "X098" in version:
        return "837P"
    if "X223" in version or "X096" in version:
        return "837I"
    return None


def is_005010(version: str | None) -> bool:
    """True for the 005010 837P / 837I guides this reader checks strictly (not 837D X224, not 004010)."""
    return bool(version) and version.startswith(("005010X222", "005010X223"))
