"""URLs of the enforcement pages, mounted at /enforcement/ under the namespace "enforcement".

Each action posts to its own URL; the services link notifications to "enforcement:detail".
The published blacklist ("enforcement:public_blacklist") needs no login.
"""

from django.urls import path

from . import views

app_name = "enforcement"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/decide/", views.case_decide, name="decide"),
    path("cases/<int:pk>/decision.docx", views.decision_document, name="decision_docx"),
    path("cases/<int:pk>/<str:action>/", views.case_action, name="action"),
    path("suspensions/", views.suspension_list, name="suspensions"),
    path("suspensions/<int:pk>/lift/", views.suspension_lift, name="lift"),
    path("suspensions/<int:pk>/order.docx", views.suspension_document, name="suspension_docx"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/<str:action>/", views.referral_action, name="referral_action"),
    path("blacklist/", views.public_blacklist, name="public_blacklist"),
    path("blacklist/manage/", views.blacklist_manage, name="blacklist"),
    path("blacklist/<int:pk>/<str:action>/", views.blacklist_action, name="blacklist_action"),
    path("stats/", views.case_stats, name="stats"),
]
