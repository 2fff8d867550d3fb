from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bangfu.accounts.request import request_user
from bangfu.core.excel import xlsx_response
from bangfu.core.forms import form_submit
from bangfu.core.request import query_without_page
from bangfu.core.selectors import audit_list_for_object
from bangfu.registry.extensions import county_sections, institution_sections
from bangfu.registry.forms import (
    CountyFilterForm,
    InstitutionFilterForm,
    InstitutionProfileForm,
    ProgrammeGroupForm,
)
from bangfu.registry.models import Institution
from bangfu.registry.scope import scope_for_user
from bangfu.registry.selectors import (
    CountyFilters,
    InstitutionFilters,
    county_get_for_user,
    county_list_for_user,
    institution_get_for_user,
    institution_list_for_user,
    prefecture_get_for_user,
    prefecture_list_for_user,
)
from bangfu.registry.services import county_set_programme_group, institution_edit_profile


@login_required
def prefecture_list(request: HttpRequest) -> HttpResponse:
    prefectures = prefecture_list_for_user(user=request_user(request))
    return render(request, "registry/prefecture_list.html", {"prefectures": prefectures})


@login_required
def prefecture_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    prefecture = prefecture_get_for_user(user=user, code=code)
    counties = county_list_for_user(user=user, filters=CountyFilters(prefecture=code))
    return render(
        request, "registry/prefecture_detail.html", {"prefecture": prefecture, "counties": counties}
    )


def _county_filters(request: HttpRequest) -> tuple[CountyFilterForm, CountyFilters]:
    form = CountyFilterForm(request.GET)
    if not form.is_valid():
        return form, CountyFilters()
    data = form.cleaned_data
    return form, CountyFilters(
        prefecture=data["prefecture"],
        programme_group=data["programme_group"],
        national_key_county=form.key_flag(),
        q=data["q"],
        coverage=data["coverage"],
    )


@login_required
def county_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, filters = _county_filters(request)
    counties = county_list_for_user(user=user, filters=filters)
    page = Paginator(counties, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "prefectures": prefecture_list_for_user(user=user).only("code", "name"),
    }
    template = "registry/_county_table.html" if request.htmx else "registry/county_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def county_export(request: HttpRequest) -> HttpResponse:
    _, filters = _county_filters(request)
    counties = county_list_for_user(user=request_user(request), filters=filters)
    rows = (
        (
            c.code,
            c.name,
            c.short_name,
            c.prefecture.name,
            c.kind,
            "是" if c.national_key_county else "否",
            c.get_programme_group_display(),
            "已核实" if c.programme_group_verified else "推测",
            c.programme_group_basis,
        )
        for c in counties
    )
    headers = [
        "代码",
        "名称",
        "简称",
        "市州",
        "类型",
        "国家乡村振兴重点帮扶县",
        "项目分组",
        "分组状态",
        "分组依据",
    ]
    return xlsx_response("县级单位名录.xlsx", "县级单位", headers, rows)


@login_required
def county_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    county = county_get_for_user(user=user, code=code)
    institutions = institution_list_for_user(user=user, filters=InstitutionFilters(county=code))
    context = {
        "county": county,
        "institutions": institutions,
        "history": audit_list_for_object(obj=county),
        "sections": county_sections(user, county),
        "can_edit": scope_for_user(user).can_edit_registry,
        "group_form": ProgrammeGroupForm(
            initial={
                "programme_group": county.programme_group,
                "programme_group_basis": county.programme_group_basis,
                "programme_group_verified": county.programme_group_verified,
            }
        ),
    }
    return render(request, "registry/county_detail.html", context)


@login_required
@require_http_methods(["POST"])
def county_set_group(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    county = county_get_for_user(user=user, code=code)
    if not scope_for_user(user).can_edit_registry:
        raise PermissionDenied("只有省级管理员可以修改项目分组")
    form = ProgrammeGroupForm(request.POST)
    return form_submit(
        request,
        form,
        lambda data: county_set_programme_group(
            actor=user,
            county=county,
            programme_group=data["programme_group"],
            basis=data["programme_group_basis"],
            verified=data["programme_group_verified"],
        ),
        done=lambda _: (
            f"已更新「{county.name}」的项目分组",
            reverse("registry:county_detail", args=[code]),
        ),
        render_page=lambda status: render(
            request,
            "registry/county_detail.html",
            {
                "county": county,
                "institutions": institution_list_for_user(
                    user=user, filters=InstitutionFilters(county=code)
                ),
                "history": audit_list_for_object(obj=county),
                "sections": county_sections(user, county),
                "can_edit": True,
                "group_form": form,
            },
            status=status,
        ),
    )


def _institution_filters(request: HttpRequest) -> tuple[InstitutionFilterForm, InstitutionFilters]:
    form = InstitutionFilterForm(request.GET)
    if not form.is_valid():
        return form, InstitutionFilters()
    return form, InstitutionFilters(**form.cleaned_data)


@login_required
def institution_list(request: HttpRequest) -> HttpResponse:
    form, filters = _institution_filters(request)
    institutions = institution_list_for_user(user=request_user(request), filters=filters)
    page = Paginator(institutions, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/institution_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@login_required
def institution_export(request: HttpRequest) -> HttpResponse:
    _, filters = _institution_filters(request)
    institutions = institution_list_for_user(user=request_user(request), filters=filters)
    rows = (
        (
            i.name,
            i.get_category_display(),
            i.get_institution_type_display(),
            i.province,
            i.city,
            i.prefecture.name if i.prefecture else "",
            i.county.name if i.county else "",
            i.grade,
            "演示数据" if i.is_demo else "",
        )
        for i in institutions
    )
    headers = ["名称", "类别", "机构类型", "省份", "城市", "市州", "县", "等级", "备注"]
    return xlsx_response("医疗机构名录.xlsx", "医疗机构", headers, rows)


def _institution_page(
    request: HttpRequest,
    institution: Institution,
    form: InstitutionProfileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    can_edit = scope_for_user(user).can_edit_registry
    if can_edit and form is None:
        form = InstitutionProfileForm(institution=institution)
    context = {
        "institution": institution,
        "history": audit_list_for_object(obj=institution),
        "sections": institution_sections(user, institution),
        "can_edit": can_edit,
        "profile_form": form,
    }
    return render(request, "registry/institution_detail.html", context, status=status)


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _institution_page(request, institution_get_for_user(user=request_user(request), pk=pk))


@login_required
@require_http_methods(["POST"])
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The province office corrects the grade and the departments (`institution_edit_profile`)."""
    user = request_user(request)
    institution = institution_get_for_user(user=user, pk=pk)
    if not scope_for_user(user).can_edit_registry:
        raise PermissionDenied("只有省卫生健康委可以修改医疗机构的等级和科室")
    form = InstitutionProfileForm(request.POST, institution=institution)
    return form_submit(
        request,
        form,
        lambda data: institution_edit_profile(
            actor=user,
            institution=institution,
            grade=data["grade"],
            add_departments=form.department_names(),
            remove_department_ids=form.department_ids(),
        ),
        done=lambda _: (
            f"已更新「{institution.name}」的等级和科室",
            reverse("registry:institution_detail", args=[pk]),
        ),
        render_page=lambda status: _institution_page(request, institution, form, status=status),
    )
