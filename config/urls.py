"""URL configuration: accounts, language switching, admin and the apps' pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("network.urls")),
    path("", include("forums.urls")),
    path("", include("mentoring.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
