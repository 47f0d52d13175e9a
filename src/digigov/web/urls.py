from django.urls import path

from digigov.web import (
    application_views,
    case_views,
    decision_views,
    messages_views,
    mycases_views,
    signing_views,
    tracker_views,
    views,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisationer/<slug:slug>/", views.organisation, name="organisation"),
    path("mina-sidor/", views.my_pages, name="my-pages"),
    path("mina-sidor/mina-uppgifter/", tracker_views.tracker, name="tracker"),
    path("mina-sidor/meddelanden/", messages_views.inbox, name="inbox"),
    path("mina-sidor/meddelanden/<str:public_id>/", messages_views.message, name="message"),
    path("mina-sidor/mina-arenden/", mycases_views.my_cases, name="my-cases"),
    path("organisationer/<slug:slug>/diarium/", case_views.diary, name="diary"),
    path("arbetsyta/", case_views.workspace, name="workspace"),
    path("arbetsyta/arenden/<str:public_id>/", case_views.staff_case, name="staff-case"),
    path(
        "arbetsyta/arenden/<str:public_id>/steg/<slug:transition_id>/",
        case_views.staff_step,
        name="staff-case-step",
    ),
    path(
        "arbetsyta/arenden/<str:public_id>/steg/<slug:transition_id>/skriv-under/",
        decision_views.sign_decision,
        name="staff-case-sign-decision",
    ),
    path(
        "arbetsyta/arenden/<str:public_id>/beslut/",
        decision_views.decision,
        name="staff-case-decision",
    ),
    path(
        "arbetsyta/arenden/<str:public_id>/tilldela/",
        case_views.staff_assign,
        name="staff-case-assign",
    ),
    path(
        "arbetsyta/arenden/<str:public_id>/forlang/",
        case_views.staff_extend,
        name="staff-case-extend",
    ),
    path(
        "arbetsyta/arenden/<str:public_id>/handlingar/<int:sequence>/",
        case_views.staff_document,
        name="staff-case-document",
    ),
    path("mina-sidor/arenden/<str:public_id>/", case_views.my_case, name="my-case"),
    path(
        "mina-sidor/arenden/<str:public_id>/svar/", case_views.my_case_answer, name="my-case-answer"
    ),
    path(
        "mina-sidor/arenden/<str:public_id>/handlingar/<int:sequence>/",
        case_views.my_case_document,
        name="my-case-document",
    ),
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
    path(
        "ansokan/<str:public_id>/fortsatt/",
        application_views.continue_draft,
        name="application-continue",
    ),
    path("ansokan/<str:public_id>/granska/", application_views.review, name="application-review"),
    path("ansokan/<str:public_id>/skriv-under/", signing_views.sign, name="application-sign"),
    path(
        "ansokan/<str:public_id>/skriv-under.pdf",
        signing_views.document,
        name="application-sign-document",
    ),
    path("ansokan/<str:public_id>/kvitto/", application_views.receipt, name="application-receipt"),
    path(
        "ansokan/<str:public_id>/kvitto.pdf",
        application_views.receipt_pdf,
        name="application-receipt-pdf",
    ),
    path("bilagor/<str:public_id>/", application_views.attachment, name="attachment"),
]
