from portal.views import citizen, dashboard, officer, public

app_name = "portal"

urlpatterns = [*public.urlpatterns, *citizen.urlpatterns, *officer.urlpatterns, *dashboard.urlpatterns]
