from django.middleware.csrf import CsrfViewMiddleware


class CsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, accepting `Origin: null` when the browser marks the request same-origin.

    Ballot pages send `Referrer-Policy: no-referrer`, under which browsers post forms with `Origin: null`.
    Such a request passes the origin check only if `Sec-Fetch-Site` says it came from this site; the CSRF token
    is checked as always, so a cross-site page still cannot post a ballot form.
    """

    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE", "same-origin") == "same-origin"
        return super()._origin_verified(request)
