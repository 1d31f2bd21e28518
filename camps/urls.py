"""Page routes."""

app_name = "camps"
urlpatterns: list = []
