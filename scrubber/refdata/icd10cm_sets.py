"""Value sets derived from the ICD-10-CM tabular: age, sex and manifestation.

Each set is a list of specs ``(lo, hi)`` (see ``icd10cm_tabular``): a code
belongs when a spec covers it, and a spec on a category covers its
descendants. The derivations follow the classification's own structure
(chapters, blocks, titles) and are written down, with their limits, in
``docs/refdata.md``; change them there and here together.

The sets are deliberately conservative: an age or sex edit that flags a
valid claim costs a biller more than a missed one, and the CMS code
editors' own tables are not public in a machine-readable form.
"""
from __future__ import annotations

import re
from typing import Iterable

from scrubber.refdata.icd10cm_tabular import Node, Spec, Tabular, iter_nodes, spec_covers

SET_NAMES = ("newborn", "pediatric", "maternity", "adult", "female", "male", "manifestation", "manifestation-title")

MATERNITY_CHAPTER: Spec = ("O00", "O9A")
NEWBORN_CHAPTER: Spec = ("P00", "P96")
# Z codes of pregnancy, found in block Z30-Z39 by title (see _pregnancy_z_codes)
_PREGNANCY_WORDS = re.compile(r"\b(pregnan\w*|gestation|antenatal|childbirth|delivery|postpartum|puerperium|lactating)\b", re.I)
_NOT_PREGNANT = re.compile(
    r"\b(negative|contracept\w*|procreative|sterili[sz]ation|infertility|avoid|male partner)\b", re.I
)

_FEMALE_ORGANS = re.compile(
    r"\b(uter(us|i|ine)|cervix|cervical stump|endometri\w*|ovar(y|ies|ian)|fallopian|vulvar?|vaginal?|"
    r"parametri\w*|female genital\w*|female pelvic)\b",
    re.I,
)
_MALE_ORGANS = re.compile(
    r"\b(penis|penile|prostat\w*|test(is|es|icle|icular)|scrot(um|al)|epididym\w*|spermatic cord|"
    r"seminal vesicles?|tunica vaginalis|male genital\w*)\b",
    re.I,
)
_FEMALE_WORD = re.compile(r"\bfemale\b", re.I)
_MALE_WORD = re.compile(r"\bmale\b", re.I)

_NEWBORN_WORDS = re.compile(r"\b(newborn|neonatorum)\b", re.I)
_NOT_NEWBORN = re.compile(r"\bnot of newborn\b|\bhistory\b", re.I)
_CHILD_WORDS = re.compile(r"\b(child|of childhood|of infancy|infancy|infant|infantile)\b", re.I)
_NOT_CHILD_ONLY = re.compile(
    r"\b(onset|history|adult|juvenile|mother|maternal|personal|perpetrator|parent|parental|guardian)\b", re.I
)
_ADULT_WORDS = re.compile(r"\badults?\b", re.I)
_NOT_ADULT_ONLY = re.compile(r"\b(child|childhood|pediatric|onset|juvenile|type)\b", re.I)

# "in diseases classified elsewhere", "in bacterial diseases classified elsewhere", "in other ... diseases ..."
_MANIFESTATION_TITLE = re.compile(r"\bin (?:[\w,-]+ ){0,6}?diseases? classified elsewhere", re.I)
_CODE_FIRST_ETIOLOGY = re.compile(r"\bunderlying\b", re.I)
_CODE_FIRST_OPTIONAL = re.compile(r"\bif applicable\b|\bif known\b", re.I)


def _in(spec: Spec, code: str) -> bool:
    return spec_covers(spec, code)


def _top_level(codes: Iterable[str]) -> list[Spec]:
    """Collapse a set of codes to the specs of the highest members: a code whose
    ancestor is already in the set adds nothing (specs cover descendants)."""
    chosen: list[str] = []
    for c in sorted(set(codes)):
        if chosen and c.startswith(chosen[-1]):
            continue
        chosen.append(c)
    return [(c, c) for c in chosen]


def _titled(nodes: Iterable[Node], include: re.Pattern, exclude: re.Pattern | None = None,
            skip: tuple[Spec, ...] = ()) -> list[str]:
    """Leaf codes (with their 7th-character extensions) whose own title matches.

    Matching leaves rather than headers keeps a header's broad title from
    pulling in children that say otherwise (Z32 covers a negative pregnancy
    test, Z69.01 covers the perpetrator as well as the victim)."""
    out = []
    for n in nodes:
        if n.children or (skip and any(_in(s, n.code) for s in skip)):
            continue
        if include.search(n.title) and not (exclude and exclude.search(n.title)):
            out.append(n.code)
    return out


def _pregnancy_z_codes(nodes: list[Node]) -> list[str]:
    """Codes in block Z30-Z39 whose title speaks of pregnancy, gestation,
    antenatal care, delivery or the puerperium (Z33.1 pregnant state, Z34
    supervision of normal pregnancy, Z36 antenatal screening, Z3A weeks of
    gestation, Z37 outcome of delivery, Z39 postpartum care), minus titles of a
    negative test, contraception, procreative management or the liveborn
    infant (Z38 is the newborn's code)."""
    block: Spec = ("Z30", "Z3A")  # the block Z30-Z39 holds Z3A, which sorts after Z39
    out = []
    for n in nodes:
        if not _in(block, n.code) or n.code.startswith("Z38"):
            continue
        if len(n.code) == 3:
            # a category titled for pregnancy whose subcodes never say otherwise is
            # maternity as a whole (Z37 "Outcome of delivery": "Single live birth", ...)
            leaves = [x for x in iter_nodes([n]) if not x.children]
            if _PREGNANCY_WORDS.search(n.title) and not any(_NOT_PREGNANT.search(x.title) for x in leaves):
                out.append(n.code)
        elif not n.children and _PREGNANCY_WORDS.search(n.title) and not _NOT_PREGNANT.search(n.title):
            out.append(n.code)
    return out


def derive_sets(tab: Tabular) -> dict[str, list[Spec]]:
    """name -> specs for every set in ``SET_NAMES``."""
    nodes = list(iter_nodes(tab.roots))
    maternity_codes = _pregnancy_z_codes(nodes)
    sets: dict[str, list[Spec]] = {}
    sets["maternity"] = [MATERNITY_CHAPTER] + _top_level(maternity_codes)

    newborn = _titled(nodes, _NEWBORN_WORDS, _NOT_NEWBORN, skip=(MATERNITY_CHAPTER, NEWBORN_CHAPTER))
    sets["newborn"] = [NEWBORN_CHAPTER, ("Z38", "Z38")] + _top_level(newborn)

    child = _titled(nodes, _CHILD_WORDS, _NOT_CHILD_ONLY, skip=(MATERNITY_CHAPTER, NEWBORN_CHAPTER))
    sets["pediatric"] = sets["newborn"] + _top_level(child)

    adult = _titled(nodes, _ADULT_WORDS, _NOT_ADULT_ONLY, skip=(("C00", "D49"),))
    sets["adult"] = _top_level(adult)

    female_sections = [spec for spec, title in tab.sections if re.search(r"\bfemale (genital|pelvic)", title, re.I)]
    male_sections = [spec for spec, title in tab.sections
                     if re.search(r"\bmale genital", title, re.I) and not re.search(r"\bfemale\b", title, re.I)]
    female: list[str] = []
    male: list[str] = []
    for n in nodes:
        if n.children or n.code[0] in "OP":  # chapters 15 (O00-O9A) and 16 (P00-P96)
            continue
        says_female = bool(_FEMALE_WORD.search(n.title))
        says_male = bool(_MALE_WORD.search(n.title))
        if says_female and says_male:
            continue  # "Stress incontinence (female) (male)"
        if says_female or (not says_male and _FEMALE_ORGANS.search(n.title) and not _MALE_ORGANS.search(n.title)):
            female.append(n.code)
        elif says_male or (_MALE_ORGANS.search(n.title) and not _FEMALE_ORGANS.search(n.title)):
            male.append(n.code)
    sets["female"] = female_sections + sets["maternity"] + _top_level(female)
    sets["male"] = male_sections + _top_level(male)

    # a manifestation title on a category covers its subcodes, so every level counts here
    manifest = [n.code for n in nodes if _MANIFESTATION_TITLE.search(n.title)]
    # the strict set: the guideline's own test ("in diseases classified elsewhere" is never first-listed)
    sets["manifestation-title"] = _top_level(manifest)
    manifest += [code for code, note in tab.code_first
                 if _CODE_FIRST_ETIOLOGY.search(note) and not _CODE_FIRST_OPTIONAL.search(note)]
    sets["manifestation"] = _top_level(manifest)
    return sets
