"""URL configuration: accounts, language switching, admin and the apps' pages."""

from django.contrib import admin
from django.urls import include, path

from incentives.urls import api_urlpatterns as incentives_api

urlpatterns = [
    path("", include("network.urls")),
    path("", include("forums.urls")),
    path("", include("mentoring.urls")),
    path("", include("incentives.urls")),
    path("", include("guides.urls")),
    path("", include("evidence.urls")),
    *incentives_api,
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
