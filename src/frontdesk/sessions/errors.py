from __future__ import annotations

from frontdesk.errors import Conflict, ValidationFailed


class InvalidSchedule(ValidationFailed):
    pass


class CapacityBelowBooked(Conflict):
    code = "capacity_below_booked"
    title = "Capacity below the places already booked"


class SessionCanceled(Conflict):
    code = "session_canceled"
    title = "The session is canceled"
