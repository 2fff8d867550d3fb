from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from bangfu.api import api

admin.site.site_header = "帮扶协作管理平台 · 后台管理"
admin.site.site_title = "帮扶协作管理平台"
admin.site.index_title = "基础数据管理"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("bangfu.core.urls")),
    path("accounts/", include("bangfu.accounts.urls")),
    path("registry/", include("bangfu.registry.urls")),
    path("partnerships/", include("bangfu.partnerships.urls")),
    path("people/", include("bangfu.people.urls")),
    path("incentives/", include("bangfu.incentives.urls")),
    path("matching/", include("bangfu.matching.urls")),
    path("jobs/", include("bangfu.jobs.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
