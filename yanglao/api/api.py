"""REST API v1 (django-ninja). OpenAPI at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="养老服务平台 API", version="1", urls_namespace="api")
