from django.urls import path

from digigov.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisationer/<slug:slug>/", views.organisation, name="organisation"),
    path("mina-sidor/", views.my_pages, name="my-pages"),
    path("arbetsyta/", views.workspace, name="workspace"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
]
