"""The application object that `frontdesk serve` hands to uvicorn workers."""

from frontdesk.api.app import create_app
from frontdesk.log import configure_logging
from frontdesk.settings import get_settings

configure_logging(get_settings().log_level)
app = create_app()
