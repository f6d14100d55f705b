from __future__ import annotations

from frontdesk.errors import Conflict, ValidationFailed


class SessionFull(Conflict):
    code = "session_full"
    title = "The session is full"


class WaitlistFull(SessionFull):
    code = "waitlist_full"
    title = "The session and its waitlist are full"


class PaymentOptionNotAllowed(ValidationFailed):
    code = "payment_option_not_allowed"
    title = "The service does not take this payment option"


class InvalidBooking(ValidationFailed):
    pass


class BookingEnded(Conflict):
    code = "booking_ended"
    title = "The booking is canceled or declined"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "The booking cannot make this change from its status"


class OfferExpired(Conflict):
    code = "offer_expired"
    title = "The offered place was not taken in time"
