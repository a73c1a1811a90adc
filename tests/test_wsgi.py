"""The WSGI module loads the views and freezes what is loaded, so full collections skip Django's objects."""

import gc
import importlib


def test_the_wsgi_module_loads_the_views_and_freezes_them():
    import config.wsgi

    gc.unfreeze()
    try:
        importlib.reload(config.wsgi)
        assert gc.get_freeze_count() > 10_000
        assert callable(config.wsgi.application)
    finally:
        gc.unfreeze()
