"""WSGI entry point. ``fundflow serve`` sets DJANGO_SETTINGS_MODULE (default ``fundflow.settings.local``);
any other WSGI server importing this module without it gets the production settings — secure by default."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundflow.settings.production")
application = get_wsgi_application()
