from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreForSignedInMiddleware:
    """Pages seen signed in may carry patient data: no browser or shared cache may keep them.

    `no-store` on every response to a signed-in user (and on the sign-in page's responses), so a
    shared front-desk PC's cache or back button does not keep a queue, a case or a day sheet.
    Static files are served by whitenoise before this runs and keep their long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
