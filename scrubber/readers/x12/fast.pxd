# Cython declarations for fast.py (pure Python mode): slot stores without the frozen __setattr__.
from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF


cdef extern from "Python.h":
    # CPython's member descriptor (a __slots__ entry): where in the object its value lives.
    ctypedef struct PyMemberDef:
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member


cdef inline int _fill(object o, tuple slots, tuple values) except -1:
    """``_fill_py`` in C: ``values[i]`` into the slot of ``slots[i]`` at its offset in ``o``.

    Only for slots that ``_slot_descriptors`` checked (member descriptors of ``type(o)``
    itself) on an object fresh from ``object.__new__``; the old value (NULL there) is released."""
    cdef Py_ssize_t i, n = len(slots)
    cdef PyObject** slot
    cdef object v
    if len(values) != n:
        raise TypeError(f"{len(values)} values for {n} slots")
    for i in range(n):
        slot = <PyObject**>((<char*><PyObject*>o) + (<PyMemberDescrObject*><PyObject*>slots[i]).d_member.offset)
        v = values[i]
        Py_INCREF(v)
        Py_XDECREF(slot[0])
        slot[0] = <PyObject*>v
    return 0


# The constructors (fast.py): C functions, so that the compiled modules that cimport them call
# them with keywords resolved at build time.
cpdef object new_claim(object claim_id, object kind, object source, object total_charge=*, object
        place_of_service=*, object facility_code_qualifier=*, object frequency=*, object created=*, object
        service_from=*, object service_to=*, object statement_from=*, object statement_to=*, object
        admission_date=*, object discharge_date=*, object onset_date=*, object providers=*, object
        subscriber=*, object patient=*, object payer=*, object payer_responsibility=*, object
        claim_filing_indicator=*, object other_payers=*, object prior_authorization=*, object
        referral_number=*, object payer_claim_control_number=*, object diagnoses=*, object condition_codes=*,
        object occurrence_codes=*, object value_codes=*, object lines=*, object raw=*, object locs=*, object
        procedure_codes=*, object admission_type=*, object admission_source=*, object patient_status=*)
cpdef object new_line(object number, object code=*, object code_qualifier=*, object modifiers=*, object
        charge=*, object units=*, object unit_basis=*, object place_of_service=*, object dx_pointers=*, object
        date_from=*, object date_to=*, object revenue_code=*, object ndc=*, object ndc_quantity=*, object
        ndc_unit=*, object providers=*, object prior_authorization=*, object locs=*)
cpdef object new_diagnosis(object position, object code, object qualifier, object poa=*, object locs=*)
cpdef object new_code_entry(object qualifier, object code, object date_from=*, object date_to=*, object
        amount=*, object locs=*)
cpdef object new_provider(object role, object entity_type=*, object last_or_org_name=*, object first_name=*,
        object npi=*, object taxonomy=*, object tax_id=*, object address=*, object locs=*)
cpdef object new_person(object last_name=*, object first_name=*, object middle_name=*, object member_id=*,
        object birth_date=*, object sex=*, object relationship=*, object address=*, object locs=*)
cpdef object new_address(object line1=*, object line2=*, object city=*, object state=*, object postal_code=*,
        object locs=*)
cpdef object new_payer(object name=*, object payer_id=*, object locs=*)
cpdef object new_other_payer(object responsibility=*, object relationship=*, object claim_filing_indicator=*,
        object payer=*, object subscriber=*, object paid_amount=*, object adjudication_date=*, object locs=*)
cpdef object new_source(object path, object segment=*, object interchange=*, object group=*, object
        transaction=*, object version=*)
cpdef object new_raw(object element_sep, object component_sep, object repetition_sep, object segment_term,
        object isa, object gs, object header, object billing, object subscriber, object patient, object claim)
cpdef object new_record(object claim_id, object source, object claim=*, object findings=*, object error=*)
