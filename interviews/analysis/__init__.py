"""Analysis code that knows nothing of Django (see ``agreement``)."""
