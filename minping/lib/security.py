"""Headers every response carries unless its view chose its own.

- Content-Security-Policy: scripts only from this site's own files (no inline script, no eval); no plugins,
  frames or foreign form targets. Inline style stays allowed: the SVG charts draw with style attributes.
- Permissions-Policy: no camera, microphone, location or payment for any page.
- Cache-Control: no-store for every page shown to a logged-in user (resident lists, exports, import previews all
  carry personal data, and a shared office computer's cache must not keep them), unless the view set its own.
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store, private"
        return response
