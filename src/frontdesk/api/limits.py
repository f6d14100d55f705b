"""Upper bounds on counts a request may ask for.

They are far above any studio's needs and far below what the database
columns hold, so an absurd number is a 422, never an overflow.
"""

MAX_CAPACITY = 100_000
MAX_PARTICIPANTS = 1_000
MAX_CREDITS = 100_000
