"""Page routes of the registry and of protection casework, mounted at /registry/."""

from django.urls import path

from cases.casework import views as casework
from cases.registry import views

app_name = "cases"
urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/status/", views.person_status, name="person_status"),
    path("households/", views.household_list, name="household_list"),
    path("households/register/", views.household_register, name="household_register"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path(
        "households/<int:pk>/members/add/", views.household_add_member, name="household_add_member"
    ),
    path("households/<int:pk>/relocate/", views.household_relocate, name="household_relocate"),
    # Protection casework.
    path("people/<int:pk>/cases/open/", casework.case_open, name="case_open"),
    path("cases/", casework.case_list, name="case_list"),
    path("cases/<int:pk>/", casework.case_detail, name="case_detail"),
    path("cases/<int:pk>/status/", casework.case_transition, name="case_transition"),
    path("cases/<int:pk>/close/", casework.case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", casework.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/assessment/", casework.case_assessment, name="case_assessment"),
    path("cases/<int:pk>/actions/add/", casework.case_action_add, name="case_action_add"),
    path(
        "cases/<int:pk>/actions/<int:action_pk>/",
        casework.case_action_update,
        name="case_action_update",
    ),
    path("cases/<int:pk>/follow-ups/add/", casework.case_follow_up, name="case_follow_up"),
    path("cases/<int:pk>/notes/add/", casework.case_note, name="case_note"),
    path("cases/<int:pk>/reassign/", casework.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/transfer/", casework.case_transfer, name="case_transfer"),
    path("cases/<int:pk>/refer/", casework.case_refer, name="case_refer"),
    path("referrals/sent/", casework.referral_sent_list, name="referral_sent_list"),
    path("referrals/sent/<int:pk>/", casework.referral_sent_detail, name="referral_sent_detail"),
    path("referrals/sent/<int:pk>/cancel/", casework.referral_cancel, name="referral_cancel"),
    path("referrals/inbox/", casework.referral_inbox, name="referral_inbox"),
    path(
        "referrals/inbox/<int:pk>/",
        casework.referral_received_detail,
        name="referral_received_detail",
    ),
    path("referrals/inbox/<int:pk>/accept/", casework.referral_accept, name="referral_accept"),
    path("referrals/inbox/<int:pk>/decline/", casework.referral_decline, name="referral_decline"),
    path(
        "referrals/inbox/<int:pk>/complete/", casework.referral_complete, name="referral_complete"
    ),
    path("approvals/", casework.approval_queue, name="approval_queue"),
    path("approvals/<int:pk>/approve/", casework.approval_approve, name="approval_approve"),
    path("approvals/<int:pk>/reject/", casework.approval_reject, name="approval_reject"),
]
