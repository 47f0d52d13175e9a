from django.urls import path

from digigov.registers import views

app_name = "registers"

# The services behind the gateway: folkbokforing, fastighet, foretag (see docs/integrators.md).
urlpatterns = [
    path("register/api/folkbokforing/personer/<str:number>", views.person, name="person"),
    path(
        "register/api/folkbokforing/personer/<str:number>/hushall",
        views.household,
        name="household",
    ),
    path("register/api/fastighet/fastigheter", views.properties, name="properties"),
    path(
        "register/api/fastighet/fastigheter/<str:designation>",
        views.property_details,
        name="property",
    ),
    path("register/api/dataspar/atkomster/<str:number>", views.accesses, name="accesses"),
    path("register/api/foretag/foretag/<str:number>", views.company, name="company"),
    path("register/api/foretag/foretag", views.companies, name="companies"),
]
