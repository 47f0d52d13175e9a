from django.urls import path

from digigov.mycases import views

app_name = "mycases"

urlpatterns = [
    path(
        "mycases/api/<slug:slug>/kundhandelseFragaSynkron",
        views.producer_question,
        name="producer",
    ),
    path("mycases/hub/kundhandelseFragaSynkron", views.hub_question, name="hub"),
]
