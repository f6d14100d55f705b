from __future__ import annotations

from frontdesk.errors import Conflict


class EmailAlreadyKnown(Conflict):
    code = "contact_exists"
    title = "A contact with this email exists"
