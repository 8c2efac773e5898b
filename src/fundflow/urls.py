from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from fundflow import site_views
from fundflow.allocations.api import PlanViewSet

router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="allocations:plan-list", permanent=False)),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("allocations/", include("fundflow.allocations.urls")),
    path("disclosure/", include("fundflow.disclosure.urls")),
    path("ledger/", include("fundflow.ledger.urls")),
    path("api/", include(router.urls)),
    path("api/token/", obtain_auth_token, name="api-token"),
    # Signed-in users only: the schema answers 401 (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]), the docs page
    # redirects to the login page.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
    path("healthz", site_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
