from __future__ import annotations

from django.urls import path

from searches.web import api, views

app_name = "searches"

urlpatterns = [
    path("", views.search_list, name="list"),
    path("searches/new/", views.search_new, name="new"),
    path("searches/compare/", views.search_compare, name="compare"),
    path("searches/<int:pk>/", views.search_detail, name="detail"),
    path("searches/<int:pk>/cancel/", views.search_cancel, name="cancel"),
    path("searches/<int:pk>/finish/", views.search_finish, name="finish"),
    path("searches/<int:pk>/rerun/", views.search_rerun, name="rerun"),
    path("searches/<int:pk>/extend/", views.search_extend, name="extend"),
    path("searches/<int:pk>/resume/", views.search_resume, name="resume"),
    path("searches/<int:pk>/final/", views.search_train_final, name="train_final"),
    path("searches/<int:pk>/best.json", views.best_json, name="best_json"),
    path("searches/<int:pk>/best.keras", views.best_model, name="best_keras"),
    path("searches/<int:pk>/best-model", views.best_model, name="best_model"),
    path("searches/<int:pk>/best.py", views.best_py, name="best_py"),
    path("searches/<int:pk>/export.json", views.export_json, name="export_json"),
    path("searches/<int:pk>/entities.csv", views.entities_csv, name="entities_csv"),
    path("api/searches/", api.searches, name="api_searches"),
    path("api/searches/<int:pk>/", api.search_state, name="api_search"),
    path("api/searches/<int:pk>/extend/", api.search_extend, name="api_extend"),
    path("api/searches/<int:pk>/resume/", api.search_resume, name="api_resume"),
    path("api/searches/<int:pk>/finish/", api.search_finish, name="api_finish"),
    path("api/searches/<int:pk>/cancel/", api.search_cancel, name="api_cancel"),
    path("api/searches/<int:pk>/leaderboard/", api.leaderboard, name="api_leaderboard"),
    path("api/entities/<int:pk>/", api.entity, name="api_entity"),
    path("api/entities/<int:pk>/family/", api.family_tree, name="api_family_tree"),
    path("api/space-preview/", api.space_preview, name="api_space_preview"),
    path("api/schema/", api.schema, name="api_schema"),
    path("api/docs/", api.docs, name="api_docs"),
]
