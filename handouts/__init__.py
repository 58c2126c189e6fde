"""handouts: branded, print-ready patient handouts in the patient's language.

`handouts.library.Library().render(job) -> bytes` is the pure core, given its resources
explicitly (`render(job, library)` in handouts.render); `handouts.cli` is the command line.

Logging contract: every module logs through ``logging.getLogger(__name__)`` under the
``handouts`` logger, which has a NullHandler, so a library user sees nothing unless they
configure logging. No message at any level contains patient data (names, notes, dates of
a visit): only row numbers, record ids the user chose, locales, file names and timings.
"""
import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
