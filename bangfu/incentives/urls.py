from django.urls import path

from bangfu.incentives import views

app_name = "incentives"
urlpatterns = [
    path("budget/", views.budget, name="budget"),
    path("budget/export.xlsx", views.budget_export, name="budget_export"),
    path("statements/<int:expert_pk>/", views.statement, name="statement"),
    path("statements/<int:expert_pk>/statement.xlsx", views.statement_excel, name="statement_xlsx"),
    path(
        "statements/<int:expert_pk>/statement.pdf", views.statement_pdf_view, name="statement_pdf"
    ),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("ledger/travel-claims/new/", views.travel_claim_create_view, name="travel_claim_create"),
    path(
        "ledger/travel-claims/<int:pk>/receipt",
        views.travel_claim_receipt,
        name="travel_claim_receipt",
    ),
    path("ledger/insurance/new/", views.insurance_create_view, name="insurance_create"),
    path("ledger/health-checks/new/", views.health_check_create_view, name="health_check_create"),
    path("ledger/tourism-cards/new/", views.tourism_card_create_view, name="tourism_card_create"),
    path("ledger/work-funds/new/", views.work_fund_set_view, name="work_fund_set"),
]
