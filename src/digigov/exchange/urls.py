from django.urls import path

from digigov.exchange import views

app_name = "exchange"

urlpatterns = [
    path("exchange/global-conf", views.global_configuration, name="global-configuration"),
]
