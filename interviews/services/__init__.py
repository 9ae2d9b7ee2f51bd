"""Business logic: verb-first functions with keyword-only arguments.

Services know nothing of HTTP or Celery. They raise `ServiceError` with a
message meant for the researcher when the input cannot be accepted, and write
nothing in that case.
"""


class ServiceError(Exception):
    """Input that cannot be accepted; str(exc) is shown to the user."""
