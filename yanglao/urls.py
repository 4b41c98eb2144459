from django.urls import include, path

from yanglao.api.api import api
from yanglao.site.health import healthz

urlpatterns = [
    path("", include("yanglao.site.urls")),
    path("", include("yanglao.people.urls")),
    path("accounts/", include("yanglao.accounts.urls")),
    path("regions/", include("yanglao.people.region_urls")),
    path("audit/", include("yanglao.accounts.audit_urls")),
    path("calendar/", include("yanglao.accounts.calendar_urls")),
    path("assessments/", include("yanglao.assessments.urls")),
    path("benefits/", include("yanglao.benefits.urls")),
    path("imports/", include("yanglao.imports.urls")),
    path("visits/", include("yanglao.visits.urls")),
    path("institutions/", include("yanglao.institutions.urls")),
    path("community/", include("yanglao.community.urls")),
    path("public/institutions/", include("yanglao.institutions.public_urls")),
    path("reporting/", include("yanglao.reporting.urls")),
    path("feedback/", include("yanglao.feedback.urls")),
    path("public/feedback/", include("yanglao.feedback.public_urls")),
    path("community/", include("yanglao.community.urls_programmes")),
    path("statistics/", include("yanglao.statistics.urls")),
    path("public/statistics/", include("yanglao.statistics.public_urls")),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
]

# Chinese pages, and Chinese JSON under /api/ (yanglao/site/errors.py).
handler400 = "yanglao.site.errors.bad_request"
handler403 = "yanglao.site.errors.permission_denied"
handler404 = "yanglao.site.errors.page_not_found"
handler500 = "yanglao.site.errors.server_error"
