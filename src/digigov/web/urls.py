from django.urls import path

from digigov.web import application_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisationer/<slug:slug>/", views.organisation, name="organisation"),
    path("mina-sidor/", views.my_pages, name="my-pages"),
    path("arbetsyta/", views.workspace, name="workspace"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("e-tjanster/", application_views.search, name="service-search"),
    path("e-tjanster/<slug:slug>/<str:code>/", application_views.service, name="service"),
    path(
        "e-tjanster/<slug:slug>/<str:code>/starta/", application_views.start, name="service-start"
    ),
    path(
        "ansokan/<str:public_id>/steg/<slug:step_id>/",
        application_views.step,
        name="application-step",
    ),
    path("ansokan/<str:public_id>/granska/", application_views.review, name="application-review"),
    path("ansokan/<str:public_id>/kvitto/", application_views.receipt, name="application-receipt"),
    path(
        "ansokan/<str:public_id>/kvitto.pdf",
        application_views.receipt_pdf,
        name="application-receipt-pdf",
    ),
    path("bilagor/<str:public_id>/", application_views.attachment, name="attachment"),
]
