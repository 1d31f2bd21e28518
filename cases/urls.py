"""Page routes of the registry and of protection casework, mounted at /registry/.

The pages of one record share its prefix (`cases/<int:pk>/`, ...): each is listed once, below
the prefix, with the route name it has always had.
"""

from django.urls import include, path

from cases.casework import views as casework
from cases.casework.views import referral_photo
from cases.registry import views
from cases.registry.imports import views as imports
from cases.registry.views import identifiers, language, photo, subject

person_pages = [
    path("", views.person_detail, name="person_detail"),
    path("edit/", views.person_edit, name="person_edit"),
    path("status/", views.person_status, name="person_status"),
    path("language/", language.person_language_needs, name="person_language_needs"),
    path("photo/", photo.person_photo_page, name="person_photo"),
    path("photo/image/", photo.person_photo_image, name="person_photo_image"),
    path(
        "identifiers/add/",
        identifiers.person_identifier_add_page,
        name="person_identifier_add",
    ),
    path(
        "identifiers/<int:identifier_pk>/remove/",
        identifiers.person_identifier_remove_page,
        name="person_identifier_remove",
    ),
    path("correct/", subject.person_correct, name="person_correct"),
    path("subject-report/", subject.person_subject_report, name="person_subject_report"),
    path(
        "subject-report/pdf/", subject.person_subject_report_pdf, name="person_subject_report_pdf"
    ),
    path(
        "subject-report/json/",
        subject.person_subject_report_json,
        name="person_subject_report_json",
    ),
    path("cases/open/", casework.case_open, name="case_open"),
    path("erase/", casework.person_erase_page, name="person_erase"),
]
household_pages = [
    path("", views.household_detail, name="household_detail"),
    path("members/add/", views.household_add_member, name="household_add_member"),
    path("relocate/", views.household_relocate, name="household_relocate"),
]
case_pages = [
    path("", casework.case_detail, name="case_detail"),
    path("status/", casework.case_transition, name="case_transition"),
    path("close/", casework.case_close, name="case_close"),
    path("reopen/", casework.case_reopen, name="case_reopen"),
    path("assessment/", casework.case_assessment, name="case_assessment"),
    path("actions/add/", casework.case_action_add, name="case_action_add"),
    path("actions/<int:action_pk>/", casework.case_action_update, name="case_action_update"),
    path("follow-ups/add/", casework.case_follow_up, name="case_follow_up"),
    path("notes/add/", casework.case_note, name="case_note"),
    path("reassign/", casework.case_reassign, name="case_reassign"),
    path("transfer/", casework.case_transfer, name="case_transfer"),
    path("refer/", casework.case_refer, name="case_refer"),
]
sent_referral_pages = [
    path("", casework.referral_sent_detail, name="referral_sent_detail"),
    path("cancel/", casework.referral_cancel, name="referral_cancel"),
]
received_referral_pages = [
    path("", casework.referral_received_detail, name="referral_received_detail"),
    path("accept/", casework.referral_accept, name="referral_accept"),
    path("decline/", casework.referral_decline, name="referral_decline"),
    path("complete/", casework.referral_complete, name="referral_complete"),
    path("photo/", referral_photo.referral_received_photo, name="referral_received_photo"),
]
import_pages = [
    path("", imports.import_detail, name="import_detail"),
    path("dry-run/", imports.import_dry_run, name="import_dry_run"),
    path("commit/", imports.import_commit, name="import_commit"),
    path("status/", imports.import_status, name="import_status"),
    path("report.csv", imports.import_report, name="import_report"),
    path("review/", imports.import_review, name="import_review"),
    path("rows/<int:row_number>/release/", imports.import_row_release, name="import_row_release"),
    path("rows/<int:row_number>/discard/", imports.import_row_discard, name="import_row_discard"),
]
approval_pages = [
    path("approve/", casework.approval_approve, name="approval_approve"),
    path("reject/", casework.approval_reject, name="approval_reject"),
]

app_name = "cases"
urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", include(person_pages)),
    path("households/", views.household_list, name="household_list"),
    path("households/register/", views.household_register, name="household_register"),
    path("households/<int:pk>/", include(household_pages)),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/template.xlsx", imports.import_template_xlsx, name="import_template_xlsx"),
    path("imports/template.csv", imports.import_template_csv, name="import_template_csv"),
    path("imports/<int:pk>/", include(import_pages)),
    # Protection casework.
    path("cases/", casework.case_list, name="case_list"),
    path("cases/<int:pk>/", include(case_pages)),
    path("referrals/sent/", casework.referral_sent_list, name="referral_sent_list"),
    path("referrals/sent/<int:pk>/", include(sent_referral_pages)),
    path("referrals/inbox/", casework.referral_inbox, name="referral_inbox"),
    path("referrals/inbox/<int:pk>/", include(received_referral_pages)),
    path("approvals/", casework.approval_queue, name="approval_queue"),
    path("approvals/<int:pk>/", include(approval_pages)),
]
