from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


class SwedishFirstLocaleMiddleware(LocaleMiddleware):
    """Swedish unless the visitor chose another language (cookie), whatever the browser says.

    Django's own middleware would follow Accept-Language; frukost's audience is Swedish and
    the switch on every page remembers an explicit choice.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """Django's headers (Vary: Accept-Language, Content-Language), without the work for
        language-prefixed URLs: frukost has no i18n_patterns, so Django's redirect of a 404 to a
        prefixed path never applies (tests/public/test_language.py checks both)."""
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
