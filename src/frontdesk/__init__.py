"""Frontdesk: bookings, orders, payments and passes as one linked whole."""
