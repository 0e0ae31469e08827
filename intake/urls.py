from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
]
