from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from bangfu.api import api
from bangfu.core import views as core_views
from bangfu.overview import views as overview_views

admin.site.site_header = "帮扶协作管理平台 · 后台管理"
admin.site.site_title = "帮扶协作管理平台"
admin.site.index_title = "基础数据管理"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview_views.home, name="home"),
    path("accounts/", include("bangfu.accounts.urls")),
    path("registry/", include("bangfu.registry.urls")),
    path("partnerships/", include("bangfu.partnerships.urls")),
    path("people/", include("bangfu.people.urls")),
    path("incentives/", include("bangfu.incentives.urls")),
    path("matching/", include("bangfu.matching.urls")),
    path("activities/", include("bangfu.activities.urls")),
    path("assessments/", include("bangfu.assessments.urls")),
    path("capability/", include("bangfu.capability.urls")),
    path("jobs/", include("bangfu.jobs.urls")),
    path("notifications/", include("bangfu.notifications.urls")),
    path("coordination/", include("bangfu.coordination.urls")),
    path("overview/", include("bangfu.overview.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# Uploaded files (signed scans, receipts) have no public URL, in DEBUG either: each is served by
# its app's scoped view (partnerships:agreement_scan, incentives:travel_claim_receipt).

# Errors: the project's Chinese pages; JSON with a Chinese `detail` under /api/.
handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

# The API's last resort for an unexpected exception: logged, answered in JSON (DEBUG too).
api.exception_handler(Exception)(core_views.api_server_error)
