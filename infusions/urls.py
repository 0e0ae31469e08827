from django.urls import path

from infusions import views

app_name = "infusions"
urlpatterns = [
    path("", views.home, name="home"),
]
