from django.urls import path

from signing import views

app_name = "signing"

urlpatterns = [
    path("crl.der", views.crl, name="crl"),
    path("root.pem", views.root_certificate, name="root"),
]
