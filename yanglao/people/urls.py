from django.urls import path

from yanglao.people import views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="list"),
    path("people/new/", views.person_create, name="create"),
    path("people/export.xlsx", views.person_export, {"fmt": "xlsx"}, name="export"),
    path("people/export.csv", views.person_export, {"fmt": "csv"}, name="export_csv"),
    path("people/duplicates/", views.duplicates, name="duplicates"),
    path("people/<uuid:public_id>/", views.person_detail, name="detail"),
    path("people/<uuid:public_id>/edit/", views.person_edit, name="edit"),
    path("people/<uuid:public_id>/event/<str:kind>/", views.person_life_event, name="event"),
    path("people/<uuid:public_id>/categories/", views.category_add, name="category_add"),
    path(
        "people/<uuid:public_id>/categories/<int:tag_id>/end/",
        views.category_end,
        name="category_end",
    ),
    path("people/<uuid:public_id>/disability/", views.disability_add, name="disability_add"),
    path(
        "people/<uuid:public_id>/disability/<int:row_id>/end/",
        views.disability_end,
        name="disability_end",
    ),
    path("people/<uuid:public_id>/dementia/", views.dementia_add, name="dementia_add"),
    path(
        "people/<uuid:public_id>/dementia/<int:row_id>/end/",
        views.dementia_end,
        name="dementia_end",
    ),
    path("people/<uuid:public_id>/reveal/<str:field>/", views.person_reveal, name="reveal"),
]
