from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Simplified Chinese unless the person chose another language (the language cookie set by /i18n/setlang/).
    The browser's Accept-Language is ignored: an English-language browser on a government PC still gets Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
