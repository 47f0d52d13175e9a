from django.urls import path

from digigov.exchange import views, witness

app_name = "exchange"

urlpatterns = [
    path("exchange/global-conf", views.global_configuration, name="global-configuration"),
    # the witness service `vittne` behind the gateway (exchange.witness)
    path("exchange/witness/checkpoints", witness.checkpoints, name="witness-checkpoints"),
]
