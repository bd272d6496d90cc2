# Cython declarations for reader.py (pure Python mode; see setup.py). Types only, no logic.
# Transaction as a C type: _Reader.run calls its add() once per segment.
from scrubber.readers.x12.transaction cimport Transaction
