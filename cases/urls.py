"""Page routes."""

app_name = "cases"
urlpatterns: list = []
