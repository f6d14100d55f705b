"""The HTTP application: routers of every domain package, one unit of work each."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from frontdesk.api import problems
from frontdesk.bookings.api import router as bookings
from frontdesk.catalog.api import router as services
from frontdesk.checkouts.api import router as checkouts
from frontdesk.contacts.api import router as contacts
from frontdesk.db.engine import engine_for
from frontdesk.db.unit_of_work import session_factory
from frontdesk.desk.pages import router as desk
from frontdesk.events.api import router as events
from frontdesk.idempotency.middleware import IdempotencyMiddleware
from frontdesk.locations.api import router as locations
from frontdesk.orders.api import router as orders
from frontdesk.plans.api import router as plans
from frontdesk.reconcile.api import router as reconcile
from frontdesk.roster.api import router as roster
from frontdesk.sessions.api import router as sessions
from frontdesk.settings import Settings, get_settings


def create_app(
    settings: Settings | None = None, engine: Engine | None = None
) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Frontdesk",
        version="1",
        description="Bookings, orders, payments and passes as one linked whole.",
    )
    app.state.engine = engine or engine_for(settings)
    app.state.session_factory = session_factory(app.state.engine)
    app.state.read_session_factory = session_factory(app.state.engine, read_only=True)
    problems.install(app)
    app.add_middleware(IdempotencyMiddleware)
    for router in (
        locations,
        services,
        sessions,
        roster,
        reconcile,
        contacts,
        bookings,
        checkouts,
        orders,
        plans,
        events,
        desk,
    ):
        app.include_router(router)
    return app
