"""Maximum length of each simple element of the 837 segments, from the ASC X12 005010 data element dictionary.

Generated from pyx12's maps of the 837P (005010X222A1) and 837I (005010X223A1) guides and its
X12 data element dictionary (``pyx12/map/dataele.xml``): for every element position of every segment
the maps name, the data element's maximum length (the largest when loops use different elements).
Numeric elements (types R and N) count digits only: X12 excludes the sign and the decimal point from
their length. Envelope segments (ISA, GS, GE, IEA) are the reader's, not checked here.
tests/test_x12_limits.py regenerates this table from pyx12 and compares, so it cannot drift.
"""

# segment id -> ((element position, maximum length, numeric), ...)
MAX_LENGTHS: dict[str, tuple[tuple[int, int, bool], ...]] = {
    "AMT": ((1, 3, False), (2, 18, True), (3, 1, False)),
    "BHT": ((1, 4, False), (2, 2, False), (3, 50, False), (4, 8, False), (5, 8, False), (6, 2, False)),
    "CAS": ((1, 2, False), (2, 5, False), (3, 18, True), (4, 15, True), (5, 5, False), (6, 18, True), (7, 15, True), (8, 5, False), (9, 18, True), (10, 15, True), (11, 5, False), (12, 18, True), (13, 15, True), (14, 5, False), (15, 18, True), (16, 15, True), (17, 5, False), (18, 18, True), (19, 15, True)),
    "CL1": ((1, 1, False), (2, 1, False), (3, 2, False), (4, 1, False)),
    "CLM": ((1, 38, False), (2, 18, True), (3, 2, False), (4, 2, False), (6, 1, False), (7, 1, False), (8, 1, False), (9, 1, False), (10, 1, False), (12, 3, False), (13, 1, False), (14, 3, False), (15, 1, False), (16, 1, False), (17, 2, False), (18, 1, False), (19, 2, False), (20, 2, False)),
    "CN1": ((1, 2, False), (2, 18, True), (3, 6, True), (4, 50, False), (5, 6, True), (6, 30, False)),
    "CR1": ((1, 2, False), (2, 10, True), (3, 1, False), (4, 1, False), (5, 2, False), (6, 15, True), (7, 55, False), (8, 55, False), (9, 80, False), (10, 80, False)),
    "CR2": ((1, 9, True), (2, 15, True), (3, 3, False), (4, 3, False), (5, 2, False), (6, 15, True), (7, 15, True), (8, 1, False), (9, 1, False), (10, 80, False), (11, 80, False), (12, 1, False)),
    "CR3": ((1, 1, False), (2, 2, False), (3, 15, True), (4, 1, False), (5, 80, False)),
    "CRC": ((1, 2, False), (2, 1, False), (3, 3, False), (4, 3, False), (5, 3, False), (6, 3, False), (7, 3, False)),
    "CTP": ((1, 2, False), (2, 3, False), (3, 17, True), (4, 15, True), (6, 3, False), (7, 10, True), (8, 18, True), (9, 2, False), (10, 10, False), (11, 2, True)),
    "CUR": ((1, 3, False), (2, 3, False), (3, 10, True), (4, 3, False), (5, 3, False), (6, 3, False), (7, 3, False), (8, 8, False), (9, 8, False), (10, 3, False), (11, 8, False), (12, 8, False), (13, 3, False), (14, 8, False), (15, 8, False), (16, 3, False), (17, 8, False), (18, 8, False), (19, 3, False), (20, 8, False), (21, 8, False)),
    "DMG": ((1, 3, False), (2, 35, False), (3, 1, False), (4, 1, False), (6, 2, False), (7, 3, False), (8, 2, False), (9, 15, True), (10, 3, False), (11, 30, False)),
    "DTP": ((1, 3, False), (2, 3, False), (3, 35, False)),
    "FRM": ((1, 20, False), (2, 1, False), (3, 50, False), (4, 8, False), (5, 6, True)),
    "HCP": ((1, 2, False), (2, 18, True), (3, 18, True), (4, 50, False), (5, 9, True), (6, 50, False), (7, 18, True), (8, 48, False), (9, 2, False), (10, 48, False), (11, 2, False), (12, 15, True), (13, 2, False), (14, 2, False), (15, 2, False)),
    "HL": ((1, 12, False), (2, 12, False), (3, 2, False), (4, 1, False)),
    "K3": ((1, 80, False), (2, 2, False)),
    "LIN": ((1, 20, False), (2, 2, False), (3, 48, False), (4, 2, False), (5, 48, False), (6, 2, False), (7, 48, False), (8, 2, False), (9, 48, False), (10, 2, False), (11, 48, False), (12, 2, False), (13, 48, False), (14, 2, False), (15, 48, False), (16, 2, False), (17, 48, False), (18, 2, False), (19, 48, False), (20, 2, False), (21, 48, False), (22, 2, False), (23, 48, False), (24, 2, False), (25, 48, False), (26, 2, False), (27, 48, False), (28, 2, False), (29, 48, False), (30, 2, False), (31, 48, False)),
    "LQ": ((1, 3, False), (2, 30, False)),
    "LX": ((1, 6, True),),
    "MEA": ((1, 2, False), (2, 3, False), (3, 20, True), (5, 20, True), (6, 20, True), (7, 2, False), (8, 2, False), (9, 2, False), (10, 4, False), (11, 3, False), (12, 30, False)),
    "MIA": ((1, 15, True), (2, 18, True), (3, 15, True), (4, 18, True), (5, 50, False), (6, 18, True), (7, 18, True), (8, 18, True), (9, 18, True), (10, 18, True), (11, 18, True), (12, 18, True), (13, 18, True), (14, 18, True), (15, 15, True), (16, 18, True), (17, 18, True), (18, 18, True), (19, 18, True), (20, 50, False), (21, 50, False), (22, 50, False), (23, 50, False), (24, 18, True)),
    "MOA": ((1, 10, True), (2, 18, True), (3, 50, False), (4, 50, False), (5, 50, False), (6, 50, False), (7, 50, False), (8, 18, True), (9, 18, True)),
    "N3": ((1, 55, False), (2, 55, False)),
    "N4": ((1, 30, False), (2, 2, False), (3, 15, False), (4, 3, False), (5, 2, False), (6, 30, False), (7, 3, False)),
    "NM1": ((1, 3, False), (2, 1, False), (3, 60, False), (4, 35, False), (5, 25, False), (6, 10, False), (7, 10, False), (8, 2, False), (9, 80, False), (10, 2, False), (11, 3, False), (12, 60, False)),
    "NTE": ((1, 3, False), (2, 80, False)),
    "OI": ((1, 2, False), (2, 2, False), (3, 1, False), (4, 1, False), (5, 1, False), (6, 1, False)),
    "PAT": ((1, 2, False), (2, 1, False), (3, 2, False), (4, 1, False), (5, 3, False), (6, 35, False), (7, 2, False), (8, 10, True), (9, 1, False)),
    "PER": ((1, 2, False), (2, 60, False), (3, 2, False), (4, 256, False), (5, 2, False), (6, 256, False), (7, 2, False), (8, 256, False), (9, 20, False)),
    "PRV": ((1, 3, False), (2, 3, False), (3, 50, False), (4, 2, False), (6, 3, False)),
    "PS1": ((1, 50, False), (2, 18, True), (3, 2, False)),
    "PWK": ((1, 2, False), (2, 2, False), (3, 2, True), (4, 3, False), (5, 2, False), (6, 80, False), (7, 80, False), (9, 2, False)),
    "QTY": ((1, 2, False), (2, 15, True), (4, 30, False)),
    "REF": ((1, 3, False), (2, 50, False), (3, 80, False)),
    "SBR": ((1, 1, False), (2, 2, False), (3, 50, False), (4, 60, False), (5, 3, False), (6, 1, False), (7, 1, False), (8, 2, False), (9, 2, False)),
    "SE": ((1, 10, True), (2, 9, False)),
    "ST": ((1, 3, False), (2, 9, False), (3, 35, False)),
    "SV1": ((2, 18, True), (3, 2, False), (4, 15, True), (5, 2, False), (6, 2, False), (8, 18, True), (9, 1, False), (10, 2, False), (11, 1, False), (12, 1, False), (13, 2, False), (14, 2, False), (15, 1, False), (16, 1, False), (17, 50, False), (18, 15, False), (19, 18, True), (20, 1, False), (21, 1, False)),
    "SV2": ((1, 48, False), (3, 18, True), (4, 2, False), (5, 15, True), (6, 10, True), (7, 18, True), (8, 1, False), (9, 1, False), (10, 1, False)),
    "SV5": ((2, 2, False), (3, 15, True), (4, 18, True), (5, 18, True), (6, 1, False), (7, 1, False)),
    "SVD": ((1, 80, False), (2, 18, True), (4, 48, False), (5, 15, True), (6, 6, True)),
}
