"""URL configuration: accounts, language switching, admin and the apps' pages."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from incentives.urls import api_urlpatterns as incentives_api

# The admin's own sign-in form has no limit on guesses: it sends people to the site's, which
# holds ACCOUNT_RATE_LIMITS, instead.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("network.urls")),
    path("", include("forums.urls")),
    path("", include("readiness.urls")),
    path("", include("mentoring.urls")),
    path("", include("incentives.urls")),
    path("", include("guides.urls")),
    path("", include("evidence.urls")),
    *incentives_api,
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# A refusal with a reason (core.views.attempt) says it on the 403 page.
handler403 = "core.views.forbidden"
