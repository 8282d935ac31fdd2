"""Open Referral HSDS 3.0: LISA's rows as HSDS documents and back.

``serialize`` turns rows into HSDS objects, ``api`` answers the read API
(``/api/services`` ...), ``exchange`` exports and imports JSON and the
tabular (CSV) form. The JSON Schemas in ``schema/`` are HSDS 3.0's own; the
tests validate real API answers against them.
"""
