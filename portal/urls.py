from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("verify/", views.verify_upload, name="verify"),
    path("verify/<uuid:token>/", views.verify_document, name="verify_document"),
]
