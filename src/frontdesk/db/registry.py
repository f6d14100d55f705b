"""Imports every model so that the metadata knows the whole schema."""

from frontdesk.attendance import models as attendance_models  # noqa: F401
from frontdesk.auth import models as auth_models  # noqa: F401
from frontdesk.bookings import models as booking_models  # noqa: F401
from frontdesk.catalog import models as catalog_models  # noqa: F401
from frontdesk.checkouts import models as checkout_models  # noqa: F401
from frontdesk.contacts import models as contact_models  # noqa: F401
from frontdesk.db.base import Base
from frontdesk.events import models as event_models  # noqa: F401
from frontdesk.idempotency import models as idempotency_models  # noqa: F401
from frontdesk.locations import models as location_models  # noqa: F401
from frontdesk.orders import models as order_models  # noqa: F401
from frontdesk.payments import models as payment_models  # noqa: F401
from frontdesk.plans import models as plan_models  # noqa: F401
from frontdesk.sessions import models as session_models  # noqa: F401
from frontdesk.staff import models as staff_models  # noqa: F401

metadata = Base.metadata
