"""Error pages that never leak a traceback and answer JSON to the API."""

from django.http import JsonResponse
from django.shortcuts import render


def _respond(request, status: int, message: str):
    if request.path.startswith("/projects/") and "/api/" in request.path:
        return JsonResponse({"error": message}, status=status)
    return render(
        request,
        "interviews/error.html",
        {"status": status, "message": message},
        status=status,
    )


def bad_request(request, exception=None):
    return _respond(request, 400, "The request could not be understood.")


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "You may not do this."
    return _respond(request, 403, message)


def not_found(request, exception=None):
    return _respond(request, 404, "Not found, or not shared with you.")


def server_error(request):
    return _respond(
        request, 500, "Something went wrong on our side; nothing was changed."
    )


def csrf_failure(request, reason=""):
    """Refuse a request whose CSRF check failed, as JSON on the API."""
    return _respond(
        request, 403, "Your session expired or the form was stale: reload the page."
    )
