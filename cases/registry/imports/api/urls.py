"""API routes of the bulk import."""

from rest_framework.routers import SimpleRouter

from cases.registry.imports.api.views import RegistryImportViewSet

router = SimpleRouter()
router.register("registry-imports", RegistryImportViewSet, basename="registry-import")

urlpatterns = router.urls
