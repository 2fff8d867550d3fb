from django.urls import URLPattern, URLResolver

app_name = "incentives"
urlpatterns: list[URLPattern | URLResolver] = []
