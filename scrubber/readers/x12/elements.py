"""Names for positions in a split segment, as the implementation guides number them.

A segment reaches the reader's parts as ``(number, text, elements)`` (``segments.segment``):
``elements[0]`` is the segment id and ``elements[i]`` is element i, so CLM02 (the total
charge) is ``elements[CLM02]`` and the component SV101-2 is ``SV101.split(comp)[SV1_CODE]``.
Naming them keeps a reader of ``claim.py`` from counting commas against the guide.

This is a table read once at import (not compiled): the compiled modules copy the names
they use into C constants (declared in their ``.pxd`` files), so a named index costs what
a literal one does.
"""
from __future__ import annotations

# The segment tuple (segments.segment) and its elements list.
SEG_NO, SEG_TEXT, SEG_ELEMENTS = 0, 1, 2
SEGMENT_ID = 0

# 2300 claim.
CLM01, CLM02, CLM05 = 1, 2, 5  # patient control number (claim id), total charge, facility code composite
CLM05_1, CLM05_2, CLM05_3 = 0, 1, 2  # CLM05 components: place of service, facility code qualifier, frequency
CL101, CL102, CL103 = 1, 2, 3  # 837I institutional claim code: admission type, admission source, patient status
# Components of a code composite (HI01, SV101, SV202, SV301): qualifier, then the code.
C_QUALIFIER, C_CODE = 0, 1
# More HI components: date format and date (-3, -4: occurrence codes, procedures), amount (-5:
# value codes), present-on-admission indicator (-9: 837I diagnoses).
HI_DATE_FORMAT, HI_DATE, HI_AMOUNT, HI_POA = 2, 3, 4, 8
DTP01, DTP02, DTP03 = 1, 2, 3  # date qualifier, format qualifier (D8 / RD8), date or period
REF01, REF02 = 1, 2  # reference qualifier, reference value
AMT01, AMT02 = 1, 2  # amount qualifier, amount
NM101, NM102 = 1, 2  # entity identifier code (which name loop this NM1 starts), entity type
SBR01, SBR02, SBR09 = 1, 2, 9  # 2320 payer responsibility, relationship, claim filing indicator
LX01 = 1  # service line number

# 2400 service line (claim_parts.build_line).
SV101, SV102, SV103, SV104, SV105, SV107 = 1, 2, 3, 4, 5, 7  # procedure, charge, unit basis, units, place, dx pointers
SV201, SV202, SV203, SV204, SV205 = 1, 2, 3, 4, 5  # revenue code, procedure, charge, unit basis, units
SV301, SV302, SV303, SV306 = 1, 2, 3, 6  # 837D: procedure, charge, place of service, procedure count
LIN02, LIN03 = 2, 3  # 2410 product id qualifier (N4 = NDC), product id
CTP04, CTP05 = 4, 5  # 2410 drug quantity, unit of measure composite
