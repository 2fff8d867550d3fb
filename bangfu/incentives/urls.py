from django.urls import path

from bangfu.incentives import payment_views, views
from bangfu.incentives.ledger_selectors import LedgerKind

app_name = "incentives"
urlpatterns = [
    path("budget/", views.budget, name="budget"),
    path("budget/export.xlsx", views.budget_export, name="budget_export"),
    path("budget/hospitals/<int:hospital_pk>/", views.budget_lines, name="budget_lines"),
    path("statements/<int:expert_pk>/", views.statement, name="statement"),
    path("statements/<int:expert_pk>/statement.xlsx", views.statement_excel, name="statement_xlsx"),
    path(
        "statements/<int:expert_pk>/statement.pdf", views.statement_pdf_view, name="statement_pdf"
    ),
    path(
        "statements/<int:expert_pk>/approve/",
        payment_views.statement_approve_view,
        name="statement_approve",
    ),
    path("payments/<int:pk>/", payment_views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/export.xlsx", payment_views.payment_export, name="payment_export"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("ledger/travel-claims/new/", views.travel_claim_create_view, name="travel_claim_create"),
    path(
        "ledger/travel-claims/<int:pk>/receipt",
        views.travel_claim_receipt,
        name="travel_claim_receipt",
    ),
    path(
        "ledger/travel-claims/<int:pk>/edit/",
        views.travel_claim_update_view,
        name="travel_claim_update",
    ),
    path(
        "ledger/travel-claims/<int:pk>/delete/",
        views.ledger_row_delete_view,
        {"kind": LedgerKind.TRAVEL},
        name="travel_claim_delete",
    ),
    path("ledger/insurance/new/", views.insurance_create_view, name="insurance_create"),
    path("ledger/insurance/<int:pk>/edit/", views.insurance_update_view, name="insurance_update"),
    path(
        "ledger/insurance/<int:pk>/delete/",
        views.ledger_row_delete_view,
        {"kind": LedgerKind.INSURANCE},
        name="insurance_delete",
    ),
    path("ledger/health-checks/new/", views.health_check_create_view, name="health_check_create"),
    path(
        "ledger/health-checks/<int:pk>/edit/",
        views.health_check_update_view,
        name="health_check_update",
    ),
    path(
        "ledger/health-checks/<int:pk>/delete/",
        views.ledger_row_delete_view,
        {"kind": LedgerKind.HEALTH},
        name="health_check_delete",
    ),
    path("ledger/tourism-cards/new/", views.tourism_card_create_view, name="tourism_card_create"),
    path(
        "ledger/tourism-cards/<int:pk>/edit/",
        views.tourism_card_update_view,
        name="tourism_card_update",
    ),
    path(
        "ledger/tourism-cards/<int:pk>/delete/",
        views.ledger_row_delete_view,
        {"kind": LedgerKind.TOURISM},
        name="tourism_card_delete",
    ),
    path("ledger/work-funds/new/", views.work_fund_set_view, name="work_fund_set"),
    path("ledger/work-funds/<int:pk>/edit/", views.work_fund_update_view, name="work_fund_update"),
    path(
        "ledger/work-funds/<int:pk>/delete/",
        views.ledger_row_delete_view,
        {"kind": LedgerKind.WORK_FUND},
        name="work_fund_delete",
    ),
]
