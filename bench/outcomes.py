"""What a load worker's `run_once` answers, on both sides of the bench.

None: the seat was taken (HTTP 201 paid, or the raw insert committed).
FULL: the capacity rule refused it (HTTP 409 `session_full`, or the raw
transaction counted the seats and found none left). Any other string: a
failure, which the bench counts, prints, and exits 1 for.
"""

from __future__ import annotations

FULL = "full"
