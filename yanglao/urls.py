from django.urls import include, path

from yanglao.api.api import api

urlpatterns = [
    path("", include("yanglao.people.urls")),
    path("accounts/", include("yanglao.accounts.urls")),
    path("regions/", include("yanglao.people.region_urls")),
    path("audit/", include("yanglao.accounts.audit_urls")),
    path("assessments/", include("yanglao.assessments.urls")),
    path("benefits/", include("yanglao.benefits.urls")),
    path("imports/", include("yanglao.imports.urls")),
    path("visits/", include("yanglao.visits.urls")),
    path("institutions/", include("yanglao.institutions.urls")),
    path("public/institutions/", include("yanglao.institutions.public_urls")),
    path("api/", api.urls),
]
